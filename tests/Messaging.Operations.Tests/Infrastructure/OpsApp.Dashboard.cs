using Messaging.Dashboard;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Messaging.Tests.Shared;

namespace Messaging.Operations.Tests.Infrastructure;

/// <summary>The same application as an ASP.NET Core service on Kestrel at 127.0.0.1 (a free port), with the dashboard
/// mounted in it at <see cref="DashboardPath"/>: sign-in by the <c>X-User</c> and <c>X-Roles</c> request headers (or
/// cookies, for a browser); changes need the policy "ops-write", which needs the role <c>ops</c>.</summary>
public sealed partial class OpsApp
{
    public const string DashboardPath = "/messaging";

    /// <summary>Where Kestrel listens, once started; only for <see cref="CreateWithDashboard"/>.</summary>
    public Uri Address => new(_host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public static OpsApp CreateWithDashboard(OpsFixture fixture, string? name = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        name = Configure(builder, fixture, name, services: null, settings: null);
        builder.Services.AddAuthentication(HeaderSignIn.SchemeName).AddScheme<AuthenticationSchemeOptions, HeaderSignIn>(HeaderSignIn.SchemeName, null);
        builder.Services.AddAuthorization(o => o.AddPolicy("ops-write", p => p.RequireRole("ops")));
        builder.Services.AddMessagingDashboard();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/", () => "the order service"); // a page that needs no sign-in, where a browser gets its cookies
        app.MapMessagingDashboard<OpsContext>(DashboardPath, o => o.ChangePolicy = "ops-write");
        return new OpsApp(app, name);
    }

    /// <summary>A client (cookies kept, no redirects followed) signed in as <paramref name="user"/> with
    /// <paramref name="roles"/>; no user: anonymous.</summary>
    public HttpClient Client(string? user, params string[] roles) => HeaderSignIn.Client(Address, user, roles);
}
