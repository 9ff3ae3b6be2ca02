using Messaging.Testing.Outages;
using Messaging.Hosting;
using Messaging.InMemory;
using Messaging.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Messaging.Tests;

/// <summary>What an operator meets when the configuration can never work: one log line and a documented exit code, not the
/// same exception three times with stack traces (issue 23, item 7).</summary>
public class RunMessagingTests
{
    [Fact]
    public async Task A_missing_setting_ends_the_run_with_one_line_and_exit_code_78_without_starting()
    {
        var logs = new LogCounter();
        using var host = Build(new() { ["Messaging:Endpoint"] = "has spaces" }, logs);

        var code = await host.RunMessagingAsync();

        Assert.Equal(78, code);
        var line = Assert.Single(logs.Warnings);
        Assert.Contains("1012 Messaging cannot start: Messaging:Transport is not set.", line, StringComparison.Ordinal);
        Assert.Contains("Messaging:Endpoint is 'has spaces'", line, StringComparison.Ordinal); // every failure, each once
        Assert.DoesNotContain("..", line.Replace("1..", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(0, logs.Count(1010)); // not started: no start-up report
    }

    [Fact]
    public async Task A_broker_that_refuses_this_configuration_stops_the_run_with_one_line_and_exit_code_78()
    {
        var logs = new LogCounter();
        using var host = Build(new() { ["Messaging:Transport"] = "Refusing" }, logs, m => m.AddTransport("Refusing", _ => new RefusingTransport()));

        var code = await host.RunMessagingAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(78, code);
        var line = Assert.Single(logs.Warnings);
        Assert.Contains("1012 Messaging cannot start: the broker refused the login (check the password). (exit code 78)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_RunMessagingAsync_a_refused_configuration_still_fails_StartAsync()
    {
        var logs = new LogCounter();
        using var host = Build(new() { ["Messaging:Transport"] = "Refusing" }, logs, m => m.AddTransport("Refusing", _ => new RefusingTransport()));

        var ex = await Assert.ThrowsAsync<MessagingException>(() => host.StartAsync());

        Assert.Contains("refused the login", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, logs.Count(1007)); // the library's own line has no stack trace; the host logs the exception itself
    }

    [Fact]
    public async Task A_stop_that_comes_after_the_host_was_disposed_does_nothing()
    {
        // RunAsync disposes the host once its own stop finished, while WebApplicationFactory may still be stopping it.
        var host = Build(new() { ["Messaging:Transport"] = "InMemory" }, new LogCounter());
        await host.StartAsync();
        var messaging = host.Services.GetServices<IHostedService>().OfType<BackgroundService>().Single(s => s.GetType().Name == "MessagingHostedService");
        await host.StopAsync();
        host.Dispose();

        await messaging.StopAsync(CancellationToken.None); // threw ObjectDisposedException (its CancellationTokenSource) before
    }

    private static IHost Build(Dictionary<string, string?> settings, LogCounter logs, Action<MessagingBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddProvider(logs);
        var messaging = builder.Services.AddMessaging(builder.Configuration);
        configure?.Invoke(messaging);
        return builder.Build();
    }

    /// <summary>A broker that answers and refuses this host's login: a configuration that can never work.</summary>
    private sealed class RefusingTransport : IMessageTransport
    {
        private readonly InMemoryTransport _inner = new();
        public string Name => "Refusing";
        public TransportCapabilities Capabilities => _inner.Capabilities;
        public TransportHealth Health => _inner.Health;
        public Task PrepareAsync(IReadOnlyList<ConsumerEndpoint> endpoints, CancellationToken cancellationToken) =>
            throw new MessagingException("the broker refused the login (check the password).");
        public Task SendAsync(Envelope envelope, CancellationToken cancellationToken) => _inner.SendAsync(envelope, cancellationToken);
        public Task SendBatchAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken) => _inner.SendBatchAsync(envelopes, cancellationToken);
        public Task ReceiveAsync(ConsumerEndpoint endpoint, MessageProcessor processor, CancellationToken stoppingToken) => _inner.ReceiveAsync(endpoint, processor, stoppingToken);
        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }
}
