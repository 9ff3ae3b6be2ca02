using Messaging.Outbox;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Messaging.Tests.Shared;

namespace Messaging.Dashboard.Tests;

/// <summary>The application's DbContext: only the messaging tables.</summary>
public sealed class ServiceDbContext(DbContextOptions<ServiceDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddMessagingTables();
}

/// <summary>A service with the dashboard on Kestrel at 127.0.0.1 (a free port), a SQLite file of its own, and sign-in by
/// the <c>X-User</c> and <c>X-Roles</c> request headers; "ops-write" needs the role <c>ops</c>.</summary>
public sealed class DashboardApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _folder;

    private DashboardApp(WebApplication app, string folder, Uri address)
    {
        _app = app;
        _folder = folder;
        Address = address;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts the app; <paramref name="services"/> adds to it (messaging, for example) before it is built.</summary>
    public static async Task<DashboardApp> StartAsync(Action<DashboardOptions>? configure = null, Action<WebApplicationBuilder>? services = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "messaging-dashboard-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddDbContext<ServiceDbContext>(o => o.UseSqlite($"Data Source={Path.Combine(folder, "app.db")}"));
        builder.Services.AddAuthentication(HeaderSignIn.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderSignIn>(HeaderSignIn.SchemeName, null);
        builder.Services.AddAuthorization(o => o.AddPolicy("ops-write", p => p.RequireRole("ops")));
        services?.Invoke(builder);
        builder.Services.AddMessagingDashboard();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/", () => "the service"); // a page of the app that needs no sign-in (where a browser gets its cookies)
        app.MapMessagingDashboard<ServiceDbContext>("/messaging", o =>
        {
            o.ChangePolicy = "ops-write";
            configure?.Invoke(o);
        });
        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ServiceDbContext>().Database.EnsureCreatedAsync();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DashboardApp(app, folder, new Uri(address));
    }

    /// <summary>A browser-like client (cookies kept) signed in as <paramref name="user"/> with <paramref name="roles"/>; no user: anonymous.</summary>
    public HttpClient Client(string? user, params string[] roles) => HeaderSignIn.Client(Address, user, roles);

    public async Task<T> QueryAsync<T>(Func<ServiceDbContext, Task<T>> query)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ServiceDbContext>());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { /* left for the OS */ }
    }
}
