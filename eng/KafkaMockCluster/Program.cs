using System.Runtime.InteropServices;
using Messaging.Eng.KafkaMock;

// Usage: KafkaMockCluster --bootstrap-file PATH [--brokers N]
// Starts librdkafka's mock cluster, writes its bootstrap servers to PATH (atomically) and runs until
// SIGTERM or SIGINT.
string? bootstrapFile = null;
var brokers = 3;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--bootstrap-file" when i + 1 < args.Length: bootstrapFile = args[++i]; break;
        case "--brokers" when i + 1 < args.Length: brokers = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'. Usage: KafkaMockCluster --bootstrap-file PATH [--brokers N]");
            return 2;
    }
}
if (bootstrapFile is null)
{
    Console.Error.WriteLine("Usage: KafkaMockCluster --bootstrap-file PATH [--brokers N]");
    return 2;
}

using var stop = new CancellationTokenSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

using var cluster = MockCluster.Start(brokers);
var full = Path.GetFullPath(bootstrapFile);
Directory.CreateDirectory(Path.GetDirectoryName(full)!);
var temp = full + ".tmp";
await File.WriteAllTextAsync(temp, cluster.BootstrapServers + "\n");
File.Move(temp, full, overwrite: true);
Console.WriteLine($"kafka mock cluster: {brokers} brokers at {cluster.BootstrapServers}");

try { await Task.Delay(Timeout.Infinite, stop.Token); }
catch (OperationCanceledException) { }
try { File.Delete(full); } catch (IOException) { }
Console.WriteLine("kafka mock cluster: stopped");
return 0;
