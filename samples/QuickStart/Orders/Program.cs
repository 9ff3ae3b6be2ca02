using HealthChecks.UI.Client;
using Messaging.Diagnostics;
using Messaging.Hosting;
using Messaging.Outbox;
using Messaging.RabbitMq;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orders;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddDbContext<OrdersDbContext>(o => o.UseNpgsql(builder.Configuration.GetConnectionString("Orders")));
builder.Services.AddMessaging(builder.Configuration)                 // the "Messaging" section of appsettings.json
    .AddRabbitMq()                                                   // Messaging:Transport = RabbitMq
    .Map<OrderPlaced>("sales.orders", o => o.CustomerId, name: "sales.order-placed")         // destination, partition key, wire name
    .Map<OrderShipped>("sales.shipments", s => s.CustomerId, name: "sales.order-shipped")
    .AddHandlersFromAssembly(typeof(Program).Assembly)               // ShipOrderHandler, NotifyCustomerHandler; [HandlerName] = inbox key
    .AddEntityFrameworkOutbox<OrdersDbContext>();                    // outbox dispatcher, inbox, dead letters in OrdersDbContext

builder.Services.AddOpenTelemetry()
    .WithTracing(t => t.AddAspNetCoreInstrumentation()               // the request's span: without it the messaging spans of a request are not sampled
        .AddSource(TelemetryNames.SourceName).AddConsoleExporter())
    .WithMetrics(m => m.AddMeter(TelemetryNames.SourceName).AddConsoleExporter());

var app = builder.Build();

using (var scope = app.Services.CreateScope())                       // creates the tables once; use EF Core migrations in production
    await scope.ServiceProvider.GetRequiredService<OrdersDbContext>().Database.EnsureCreatedAsync();

// The business row and the outbox row commit in one transaction; the dispatcher publishes after the commit.
app.MapPost("/orders", async (PlaceOrder request, OrdersDbContext db, IOutbox outbox) =>
{
    var order = new Order { Id = Guid.NewGuid(), CustomerId = request.CustomerId, Amount = request.Amount };
    db.Orders.Add(order);
    outbox.Enqueue(new OrderPlaced(order.Id, order.CustomerId, order.Amount));
    await db.SaveChangesAsync();
    return Results.Accepted($"/orders/{order.Id}", new { order.Id });
});

app.MapGet("/orders/{id:guid}", async (Guid id, OrdersDbContext db) =>
    await db.Orders.FindAsync(id) is { } order ? Results.Ok(order) : Results.NotFound());

// Every check with its status, description and data, as JSON; tag "messaging" for readiness.
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = UIResponseWriter.WriteHealthCheckUIResponse });

return await app.RunMessagingAsync();                                // a wrong setting: one log line and exit code 78
