using Messaging.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using Xunit;

namespace Messaging.RabbitMq.Tests;

/// <summary><c>Messaging:RabbitMq:Hosts</c>: parsing, start-up validation and the endpoint list the client gets.</summary>
public sealed class ClusterHostsTests
{
    [Theory]
    [InlineData("rmq1", "rmq1", 0)]
    [InlineData("rmq1:5673", "rmq1", 5673)]
    [InlineData("10.0.0.7:5672", "10.0.0.7", 5672)]
    [InlineData("[::1]:5672", "::1", 5672)]
    [InlineData("[fe80::1]", "fe80::1", 0)]
    public void Host_or_host_and_port_is_accepted(string value, string host, int port)
    {
        Assert.True(RabbitMqClusterNodes.TryParse(value, out var parsedHost, out var parsedPort));
        Assert.Equal(host, parsedHost);
        Assert.Equal(port, parsedPort);
    }

    [Theory]
    [InlineData("")]
    [InlineData("amqp://rmq1:5672")]
    [InlineData("guest:secret@rmq1:5672")]
    [InlineData("rmq1:0")]
    [InlineData("rmq1:70000")]
    [InlineData("rmq1:port")]
    [InlineData("::1:5672")]
    [InlineData("rmq 1")]
    public void Anything_else_is_refused(string value) => Assert.False(RabbitMqClusterNodes.TryParse(value, out _, out _));

    [Fact]
    public void Start_up_names_the_bad_entry_by_key_and_index_without_showing_it()
    {
        var options = Validate(new() { ["Messaging:RabbitMq:Hosts:0"] = "rmq1:5672", ["Messaging:RabbitMq:Hosts:1"] = "guest:S3cret@rmq2" });
        var failure = Assert.Throws<OptionsValidationException>(() => options.Value);
        Assert.Contains("Messaging:RabbitMq:Hosts:1 is not host or host:port", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("S3cret", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_node_gets_the_uri_credentials_and_its_own_tls_server_name()
    {
        var options = new RabbitMqOptions
        {
            Uri = "amqps://app:pw@ignored-host:5671/orders", Hosts = ["rmq1:5671", "rmq2"],
        };
        var factory = new ConnectionFactory { Uri = new Uri(options.Uri) };
        factory.Ssl = RabbitMqTls.ToSslOption(options.Tls, factory.HostName, factory.Ssl);
        var endpoints = RabbitMqClusterNodes.Endpoints(options, factory);
        Assert.Equal(["rmq1", "rmq2"], endpoints.Select(e => e.HostName));
        Assert.Equal([5671, 5671], endpoints.Select(e => e.Port)); // amqps: the TLS default port where none is given
        Assert.Equal(["rmq1", "rmq2"], endpoints.Select(e => e.Ssl.ServerName));
        Assert.Equal("rmq1:5671, rmq2:5671 vhost 'orders'", RabbitMqClusterNodes.Describe(endpoints, factory.VirtualHost));
    }

    [Fact]
    public void Without_hosts_the_uri_host_is_the_only_node()
    {
        var factory = new ConnectionFactory { Uri = new Uri("amqp://u:p@broker.internal/") };
        var endpoint = Assert.Single(RabbitMqClusterNodes.Endpoints(new RabbitMqOptions(), factory));
        Assert.Equal("broker.internal:5672", $"{endpoint.HostName}:{endpoint.Port}");
    }

    private static IOptions<RabbitMqOptions> Validate(Dictionary<string, string?> settings)
    {
        settings["Messaging:Transport"] = "RabbitMq";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddMessaging(configuration).AddRabbitMq();
        return services.BuildServiceProvider().GetRequiredService<IOptions<RabbitMqOptions>>();
    }
}
