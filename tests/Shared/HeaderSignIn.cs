using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Tests.Shared;

/// <summary>Signs in whoever the <c>X-User</c> header (or cookie) names, with the roles of <c>X-Roles</c>; neither, no user.
/// Shared by the dashboard's tests (a linked file in each test project).</summary>
internal sealed class HeaderSignIn(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "Test";

    /// <summary>A client (cookies kept, no redirects followed) on <paramref name="address"/>, signed in as
    /// <paramref name="user"/> with <paramref name="roles"/>; no user: anonymous.</summary>
    public static HttpClient Client(Uri address, string? user, params string[] roles)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = true, AllowAutoRedirect = false }) { BaseAddress = address };
        if (user is not null) client.DefaultRequestHeaders.Add("X-User", user);
        if (roles.Length > 0) client.DefaultRequestHeaders.Add("X-Roles", string.Join(',', roles));
        return client;
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // A browser sends cookies of the same names instead.
        var user = Request.Headers["X-User"].FirstOrDefault() ?? Request.Cookies["X-User"];
        if (user is not { Length: > 0 }) return Task.FromResult(AuthenticateResult.NoResult());
        var roles = Request.Headers["X-Roles"].FirstOrDefault() ?? Request.Cookies["X-Roles"] ?? "";
        var claims = new List<Claim> { new(ClaimTypes.Name, user) };
        claims.AddRange(roles.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(r => new Claim(ClaimTypes.Role, r)));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName)));
    }
}
