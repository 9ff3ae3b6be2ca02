using System.Diagnostics;
using Messaging.Eng.KafkaMock;
using Microsoft.EntityFrameworkCore;

namespace Messaging.FaultHarness;

/// <summary>
/// Runs the producer and the consumer as child processes, injects faults on a schedule, restarts what
/// was killed, waits until every work item is applied (or the timeout), then counts from the database.
/// </summary>
public sealed class Orchestrator(HarnessSettings settings, RunOptions options)
{
    private readonly Dictionary<string, int> _injected = [];
    private readonly Dictionary<string, string> _environment = [];

    /// <summary>On librdkafka's mock cluster, the most work items the producer may be ahead of the consumer (count).
    /// The mock keeps only about the last 5 MB of each partition (about 23,000 of these records) and deletes older
    /// ones like retention; unbounded, a consumer killed every few seconds fell that far behind and records were
    /// deleted unread (consumer event 3021). 10,000 stays under it even with the whole backlog on one partition.
    /// A real cluster keeps records for days; there the backlog is unbounded.</summary>
    private const int MockKafkaMaxBacklog = 10_000;

    private int _maxBacklog;
    private int _children;
    private TimeSpan? _firstSentAfterOutage;
    private (DateTime From, DateTime To)? _outageWindow;

    public async Task<HarnessReport> RunAsync()
    {
        PrepareStateDir();
        await using (var db = HarnessReport.OpenDb(settings))
        {
            await db.Database.EnsureDeletedAsync();
            await db.Database.EnsureCreatedAsync();
            if (settings.Database == "sqlite") await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
        // Kafka without an external cluster: this process owns the mock, so it can inject broker faults.
        using var kafkaMock = settings.Transport == "kafka" && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MESSAGING_KAFKA"))
            ? MockCluster.Start(brokers: 3) : null;
        if (kafkaMock is not null) _environment["MESSAGING_KAFKA"] = kafkaMock.BootstrapServers;
        _maxBacklog = kafkaMock is not null ? MockKafkaMaxBacklog : 0;
        await using var rabbitContainers = options.RabbitMqContainer == "none" || settings.Transport != "rabbitmq" ? null : await Containers.RabbitMqContainers.StartAsync(options.RabbitMqContainer, _environment);
        var faults = new Faults(settings, kafkaMock, options.LongOutageSeconds, rabbitContainers, options.OnlyFaults);
        var longOutagePending = faults.LongOutage is not null;

        var clock = Stopwatch.StartNew();
        var consumer = Start("consume");
        var producer = Start("produce");
        var producerDone = false;
        var nextFault = TimeSpan.FromMilliseconds(options.FaultIntervalMs);
        var turn = 0;
        var finished = false;
        var consuming = false;
        while (clock.Elapsed < options.Timeout)
        {
            if (producer.HasExited && !producerDone)
            {
                if (producer.ExitCode == 0) producerDone = true;
                else producer = Restart(producer, "produce");
            }
            if (consumer.HasExited) consumer = Restart(consumer, "consume");
            if (producerDone && await HarnessReport.AppliedAsync(settings) >= settings.Messages)
            {
                finished = true;
                break;
            }
            // Faults start once the consumer applies messages: a consumer process still starting has not declared its
            // queue, and what the producer publishes meanwhile is unroutable (refused, counted), not an outage.
            if (!consuming && (consuming = await HarnessReport.AppliedAsync(settings) > 0)) nextFault = clock.Elapsed + TimeSpan.FromMilliseconds(options.FaultIntervalMs);
            if (consuming && clock.Elapsed >= nextFault && (options.MaxFaults == 0 || _injected.Values.Sum() < options.MaxFaults))
            {
                var kind = longOutagePending ? faults.LongOutage! : NextApplicable(faults.Kinds, ref turn, producerDone);
                Console.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0}s] fault: {kind}");
                var faultStarted = DateTime.Now;
                switch (kind)
                {
                    case "consumer-sigkill": consumer.Kill(); consumer = Restart(consumer, "consume"); break;
                    case "producer-sigkill": producer.Kill(); producer = Restart(producer, "produce"); break;
                    case "dispatcher-sigkill-after-publish": producer.Kill(); producer = Restart(producer, "produce", "--die-after-sends", "1"); break;
                    default: await faults.InjectAsync(kind); break;
                }
                if (longOutagePending)
                {
                    longOutagePending = false;
                    _outageWindow = (faultStarted, DateTime.Now);
                    _firstSentAfterOutage = await FirstSentAsync();
                    Console.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0}s] broker back after {options.LongOutageSeconds} s; first row sent {_firstSentAfterOutage?.TotalSeconds:0.0} s later");
                    _outageWindow = (_outageWindow!.Value.From, DateTime.Now.AddSeconds(10)); // and the recovery's own lines
                }
                _injected[kind] = _injected.GetValueOrDefault(kind) + 1;
                nextFault = clock.Elapsed + TimeSpan.FromMilliseconds(options.FaultIntervalMs);
            }
            await Task.Delay(200);
        }
        await consumer.StopAsync(TimeSpan.FromSeconds(20));
        await producer.StopAsync(TimeSpan.FromSeconds(20));
        consumer.Dispose();
        producer.Dispose();
        var report = await HarnessReport.CountAsync(settings, _injected, clock.Elapsed, finished, _firstSentAfterOutage);
        if (_outageWindow is { } window) report = report with { OutageLogLines = ChildLogs.CountEntries(settings.StateDir, window.From, window.To) };
        if (report.Lost > 0)
        {
            var kafka = _environment.GetValueOrDefault("MESSAGING_KAFKA") ?? Environment.GetEnvironmentVariable("MESSAGING_KAFKA");
            foreach (var line in await LostMessages.DescribeAsync(settings, kafka)) Console.WriteLine("  not applied: " + line);
        }
        return report;
    }

    /// <summary>Time from now until the outbox marks one more row Sent (at most 120 s; null if it never does).</summary>
    private async Task<TimeSpan?> FirstSentAsync()
    {
        var clock = Stopwatch.StartNew();
        var before = await HarnessReport.SentAsync(settings);
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (await HarnessReport.SentAsync(settings) > before) return clock.Elapsed;
            await Task.Delay(50);
        }
        return null;
    }

    private static string NextApplicable(IReadOnlyList<string> kinds, ref int turn, bool producerDone)
    {
        for (var i = 0; i < kinds.Count; i++)
        {
            var kind = kinds[turn++ % kinds.Count];
            if (producerDone && kind is "producer-sigkill" or "dispatcher-sigkill-after-publish") continue;
            return kind;
        }
        return "consumer-sigkill";
    }

    private ChildProcess Restart(ChildProcess old, string role, params string[] extra)
    {
        old.Dispose();
        return Start(role, extra);
    }

    private ChildProcess Start(string role, params string[] extra)
    {
        var arguments = settings.ChildArguments(role).Concat(extra);
        if (role == "produce")
            arguments = arguments.Concat(["--rate", options.ProduceRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--max-backlog", _maxBacklog.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var log = Path.Combine(settings.StateDir, $"{role}-{++_children}.log");
        return ChildProcess.Start(role, arguments, _environment, log);
    }

    private void PrepareStateDir()
    {
        Directory.CreateDirectory(settings.StateDir);
        foreach (var file in Directory.GetFiles(settings.StateDir)) File.Delete(file);
    }
}
