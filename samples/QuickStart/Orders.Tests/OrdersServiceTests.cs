using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Orders;

namespace Orders.Tests;

/// <summary>
/// The quick start's service as its users run it, started by ASP.NET Core's test server: a placed order goes through the
/// outbox and the broker to ShipOrderHandler, whose OrderShipped goes through the outbox again to NotifyCustomerHandler;
/// one trace covers the HTTP request and every messaging span; /health answers in JSON with the transport in use.
/// InMemory needs no broker (the way to test handlers without one); RabbitMq uses the broker of appsettings.json or
/// MESSAGING_RABBITMQ. PostgreSQL: MESSAGING_POSTGRES (without Database) or the local server, one database per test.
/// </summary>
public sealed class OrdersServiceTests
{
    [Theory]
    [InlineData("InMemory")]
    [InlineData("RabbitMq")]
    public async Task A_placed_order_is_shipped_once_and_the_customer_notified_in_one_trace(string transport)
    {
        var spans = new SpanList();
        var database = $"quickstart_{Guid.NewGuid():N}";
        await using var service = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("ConnectionStrings:Orders", $"{Postgres};Database={database}");
            web.UseSetting("Messaging:Transport", transport);
            web.UseSetting("Messaging:Endpoint", database); // a queue of its own: other runs' messages never reach it
            if (Environment.GetEnvironmentVariable("MESSAGING_RABBITMQ") is { Length: > 0 } rabbit) web.UseSetting("Messaging:RabbitMq:Uri", rabbit);
            web.ConfigureServices(services => services.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans)));
        });
        var client = service.CreateClient();
        try
        {
            var placed = await client.PostAsJsonAsync("/orders", new PlaceOrder("customer-7", 12.50m));
            Assert.Equal(HttpStatusCode.Accepted, placed.StatusCode);
            var id = (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

            var order = await WaitForAsync(async () => await client.GetFromJsonAsync<Order>($"/orders/{id}") is { CustomerNotifiedAt: not null } o ? o : null,
                "the order shipped and the customer notified");
            Assert.NotNull(order.ShippedAt);
            using (var scope = service.Services.CreateScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<OrdersDbContext>();
                Assert.Equal(["notify-customer", "ship-order"], (await db.Set<Messaging.Outbox.InboxRecord>().Select(r => r.HandlerName).ToListAsync()).Order());
            }

            // One trace: the request, the dispatcher's sends and the handlers' process spans.
            var trace = await WaitForAsync(() => Task.FromResult(Trace(spans) is { Count: >= 5 } t ? t : null), "the spans of the order's trace");
            Assert.Contains(trace, s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("/orders", StringComparison.Ordinal));
            Assert.Contains(trace, s => s.Kind == ActivityKind.Producer && s.DisplayName == "send sales.orders");
            Assert.Contains(trace, s => s.Kind == ActivityKind.Producer && s.DisplayName == "send sales.shipments");
            Assert.Equal(2, trace.Count(s => s.Kind == ActivityKind.Consumer));

            var health = await client.GetAsync("/health");
            var report = await health.Content.ReadFromJsonAsync<JsonElement>();
            var checks = report.GetProperty("entries").EnumerateObject().Select(e => e.Name).Order().ToList();
            Assert.Equal(new[] { "messaging-" + transport.ToLowerInvariant(), "messaging-outbox" }.Order(), checks); // only the transport in use
        }
        finally
        {
            using var scope = service.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<OrdersDbContext>().Database.EnsureDeletedAsync();
        }
    }

    private static string Postgres => Environment.GetEnvironmentVariable("MESSAGING_POSTGRES") is { Length: > 0 } server
        ? server : "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres";

    /// <summary>The spans of the trace that began with the HTTP request, once the request span was exported.</summary>
    private static List<Activity> Trace(SpanList spans)
    {
        var all = spans.Snapshot();
        var request = all.FirstOrDefault(s => s.Kind == ActivityKind.Server);
        return request is null ? [] : all.Where(s => s.TraceId == request.TraceId).ToList();
    }

    /// <summary>The exporter adds from the threads that end spans while the test reads: a list behind a lock.</summary>
    private sealed class SpanList : System.Collections.ObjectModel.Collection<Activity>
    {
        private readonly Lock _lock = new();

        public List<Activity> Snapshot()
        {
            lock (_lock) return [.. Items];
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (_lock) base.InsertItem(index, item);
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } value) return value;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Not seen within 60 s: {what}.");
    }
}
