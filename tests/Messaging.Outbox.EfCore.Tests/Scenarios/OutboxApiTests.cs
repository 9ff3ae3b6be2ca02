using Messaging.Outbox.Tests.Infrastructure;
using Messaging.Outbox.Writing;
using Messaging.Publishing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Messaging.Outbox.Tests.Scenarios;

/// <summary>Provider-independent behaviour, checked on SQLite.</summary>
public sealed class OutboxApiTests(SqliteDatabase database, ITestOutputHelper output) : DatabaseTest<SqliteDatabase>(database, output)
{
    [Fact]
    public async Task Forwarded_envelope_keeps_its_message_id_and_headers()
    {
        var host = await HostAsync(start: false);
        var original = host.Services.GetRequiredService<IEnvelopeFactory>().Create(new OrderPlaced("J-1"), typeof(OrderPlaced),
            new PublishOptions { MessageId = "fixed-id-1", CausationId = "cause-1", Headers = new Dictionary<string, string> { ["tenant"] = "t1" } });
        await InScopeAsync(host, async services =>
        {
            services.GetRequiredService<IOutbox>().Enqueue(original);
            return await services.GetRequiredService<ShopContext>().SaveChangesAsync();
        });

        await using var check = Database.CreateContext();
        var row = await check.Set<OutboxMessage>().SingleAsync();
        Assert.Equal("fixed-id-1", row.MessageId);
        Assert.Equal("cause-1", row.CausationId);
        Assert.Equal("{\"tenant\":\"t1\"}", row.Headers);
        var roundTrip = OutboxRows.ToEnvelope(row);
        Assert.Equal(original.Body.ToArray(), roundTrip.Body.ToArray());
        Assert.Equal(original.Headers, roundTrip.Headers);
        Assert.Equal(original.Timestamp.ToUnixTimeMilliseconds(), roundTrip.Timestamp.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task An_oversized_message_is_refused_by_Enqueue_and_nothing_is_written()
    {
        var host = await HostAsync(start: false, settings: new Dictionary<string, string?> { ["Messaging:MaxBodyBytes"] = "64" });
        var error = await Assert.ThrowsAsync<PublishException>(() => InScopeAsync(host, async services =>
        {
            services.GetRequiredService<ShopContext>().Add(new Order { Number = "big" });
            services.GetRequiredService<IOutbox>().Enqueue(new OrderPlaced(new string('x', 100)));
            return await services.GetRequiredService<ShopContext>().SaveChangesAsync();
        }));
        Assert.Equal(PublishFailure.Invalid, error.Failure);
        Assert.Contains("Messaging:MaxBodyBytes = 64", error.Message, StringComparison.Ordinal);
        await using var check = Database.CreateContext();
        Assert.Equal(0, await check.Set<OutboxMessage>().CountAsync());
        Assert.Equal(0, await check.Orders.CountAsync());
    }

    [Theory]
    [InlineData("BatchSize", "0")]
    [InlineData("BatchSize", "10001")]
    [InlineData("PollIntervalMs", "0")]
    [InlineData("MaxAttempts", "0")]
    [InlineData("MaxBackoffMs", "-1")]
    public async Task Invalid_option_fails_start_up_naming_the_key(string key, string value)
    {
        var host = await HostAsync(start: false, settings: new Dictionary<string, string?> { ["Messaging:Outbox:" + key] = value });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains($"Messaging:Outbox:{key} is {value}", error.Message, StringComparison.Ordinal);
    }
}
