using System.Diagnostics;

namespace Messaging.RabbitMq.Tests;

/// <summary>
/// Certificates made at test time with openssl in a temporary folder: a CA, a server certificate it signs for
/// <c>localhost</c> and 127.0.0.1, and a second CA that signed nothing (to stand for a CA the client trusts but the
/// broker does not use).
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(string folder) => Folder = folder;

    public string Folder { get; }
    public string CaPath => Path.Combine(Folder, "ca.pem");
    public string OtherCaPath => Path.Combine(Folder, "other-ca.pem");
    public string ServerCertificatePath => Path.Combine(Folder, "server.pem");
    public string ServerKeyPath => Path.Combine(Folder, "server.key");

    public static async Task<TestCertificates> CreateAsync()
    {
        var certificates = new TestCertificates(Directory.CreateTempSubdirectory("messaging-tls-").FullName);
        await File.WriteAllTextAsync(Path.Combine(certificates.Folder, "san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        await certificates.OpenSslAsync("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Messaging Test CA");
        await certificates.OpenSslAsync("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "2", "-subj", "/CN=Messaging Other CA");
        await certificates.OpenSslAsync("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
        await certificates.OpenSslAsync("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "san.ext");
        return certificates;
    }

    private async Task OpenSslAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        _ = process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} failed: {await error}");
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
