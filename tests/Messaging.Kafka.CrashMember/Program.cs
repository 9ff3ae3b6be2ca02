using Messaging.Hosting;
using Messaging.Kafka;
using Messaging.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

// Usage: Messaging.Kafka.CrashMember <bootstrap servers> <consumer group> <topic> [session timeout ms, default 6000]
// Joins the group with the library's own consumer (AutoCommitIntervalMs 1000), handles each record in 10 ms and prints its
// source ("topic t partition p offset o") once handled; runs until killed.
var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Messaging:Transport"] = "Kafka",
    ["Messaging:Kafka:BootstrapServers"] = args[0],
    ["Messaging:Kafka:SessionTimeoutMs"] = args.Length > 3 ? args[3] : "6000",
    ["Messaging:Kafka:AutoCommitIntervalMs"] = "1000",
}).Build();
var services = new ServiceCollection();
services.AddMessaging(config).AddKafka();
await using var provider = services.BuildServiceProvider();
var transport = provider.GetRequiredService<IMessageTransport>();
await transport.ReceiveAsync(new ConsumerEndpoint(args[1], [args[2]]), async (message, cancellationToken) =>
{
    await Task.Delay(10, cancellationToken);
    Console.Out.WriteLine(message.Source);
    Console.Out.Flush();
    return ProcessingResult.Ack;
}, CancellationToken.None);
