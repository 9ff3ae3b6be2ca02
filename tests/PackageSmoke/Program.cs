// The package smoke test: an application that knows Messaging only through its packages. It builds a host
// with AddMessaging, the in-memory transport and the EF Core outbox and inbox on SQLite (the RabbitMQ and Kafka
// transports registered as a real application would, not selected), publishes through the outbox, and checks
// that the handler applied the message once although it was enqueued twice with the same message id.
// Exit code 0 only when all of that held and each package's XML docs sit next to its dll.
using Messaging.Handling;
using Messaging.Hosting;
using Messaging.Kafka;
using Messaging.Outbox;
using Messaging.Publishing;
using Messaging.RabbitMq;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PackageSmoke;

var failures = new List<string>();

foreach (var assembly in new[] { typeof(MessagingBuilder), typeof(RabbitMqMessagingBuilderExtensions),
             typeof(KafkaMessagingBuilderExtensions), typeof(IOutbox) }.Select(t => t.Assembly))
{
    var docs = Path.ChangeExtension(assembly.Location, ".xml");
    Console.WriteLine($"{assembly.GetName().Name} {assembly.GetName().Version}: {(File.Exists(docs) ? "XML docs present" : "XML docs MISSING")}");
    if (!File.Exists(docs)) failures.Add($"no XML docs next to {assembly.Location}");
}

var databasePath = Path.Combine(Path.GetTempPath(), $"package-smoke-{Guid.NewGuid():N}.db");
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Messaging:Transport"] = "InMemory",
    ["Messaging:Endpoint"] = "package-smoke",
    ["Messaging:Outbox:PollIntervalMs"] = "20",
});
builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
builder.Services.AddDbContext<SmokeDbContext>(o => o.UseSqlite($"Data Source={databasePath}"));
builder.Services.AddMessaging(builder.Configuration)
    .AddRabbitMq()
    .AddKafka()
    .Map<GreetingSent>("greetings", g => g.To)
    .AddHandler<GreetingSent, RecordGreetingHandler>("record-greeting")
    .AddEntityFrameworkOutbox<SmokeDbContext>();

try
{
    using var host = builder.Build();
    using (var scope = host.Services.CreateScope())
        await scope.ServiceProvider.GetRequiredService<SmokeDbContext>().Database.EnsureCreatedAsync();
    await host.StartAsync();

    // One transaction: the same message twice with one message id (a producer retry), then a second message of
    // the same partition key, handled after both (order per key).
    using (var scope = host.Services.CreateScope())
    {
        var db = scope.ServiceProvider.GetRequiredService<SmokeDbContext>();
        var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
        outbox.Enqueue(new GreetingSent("ada", "hello"), new PublishOptions { MessageId = "greeting-1" });
        outbox.Enqueue(new GreetingSent("ada", "hello"), new PublishOptions { MessageId = "greeting-1" });
        outbox.Enqueue(new GreetingSent("ada", "goodbye"), new PublishOptions { MessageId = "greeting-2" });
        await db.SaveChangesAsync();
    }

    var deadline = DateTime.UtcNow.AddSeconds(30);
    (int Applied, int Once, int Inbox, int Sent) seen = default;
    while (DateTime.UtcNow < deadline)
    {
        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SmokeDbContext>();
        seen = (await db.Greetings.CountAsync(), await db.Greetings.CountAsync(g => g.MessageId == "greeting-1"),
            await db.Set<InboxRecord>().CountAsync(), await db.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Sent));
        if (seen is { Applied: 2, Inbox: 2, Sent: 3 }) break;
        await Task.Delay(50);
    }
    await host.StopAsync();

    Console.WriteLine($"outbox rows sent {seen.Sent}/3, greetings applied {seen.Applied}/2 (greeting-1: {seen.Once}), inbox rows {seen.Inbox}/2");
    if (seen.Sent != 3) failures.Add($"{seen.Sent} of 3 outbox rows were sent");
    if (seen.Applied != 2 || seen.Once != 1) failures.Add($"expected 2 greetings applied, greeting-1 once; got {seen.Applied}, greeting-1 {seen.Once} times");
    if (seen.Inbox != 2) failures.Add($"expected 2 inbox rows, got {seen.Inbox}");
}
finally
{
    SqliteConnection.ClearAllPools();
    foreach (var file in new[] { databasePath, databasePath + "-wal", databasePath + "-shm" }) File.Delete(file);
}

foreach (var failure in failures) Console.WriteLine("FAILED: " + failure);
Console.WriteLine(failures.Count == 0 ? "RESULT: the packages work from a new application." : "RESULT: the packages FAILED in a new application.");
return failures.Count == 0 ? 0 : 1;
