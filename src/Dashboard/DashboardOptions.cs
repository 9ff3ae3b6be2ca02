namespace Messaging.Dashboard;

/// <summary>
/// Who may open the dashboard and change something through it (<see cref="DashboardEndpointExtensions.MapMessagingDashboard{TContext}"/>).
/// Secure by default: without <see cref="AllowAnonymous"/>, every page requires an authenticated user (or
/// <see cref="ViewPolicy"/>), and every change is a POST with an antiforgery token, written to the log with the user's name.
/// </summary>
public sealed class DashboardOptions
{
    /// <summary>The authorization policy a user needs to see any page; null: any authenticated user (the app's default
    /// authorization policy). Ignored with <see cref="AllowAnonymous"/>.</summary>
    public string? ViewPolicy { get; set; }

    /// <summary>The authorization policy a user needs, on top of <see cref="ViewPolicy"/>, to re-drive or discard; null: the
    /// same users as may view. A user without it sees the pages without their buttons, and a POST answers 403.</summary>
    public string? ChangePolicy { get; set; }

    /// <summary>Serve the pages to anyone, signed in or not. Default false; set it only where the network already keeps
    /// strangers out (a local run, a port bound to 127.0.0.1).</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Pages only: no re-drive or discard for anyone (the POST endpoints are not mapped). Default false.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>Most rows a list shows (count, 1..10000). Default 200.</summary>
    public int PageSize { get; set; } = 200;
}
