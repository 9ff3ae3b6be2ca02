namespace Messaging.Hosting;

/// <summary>
/// A check the host runs once at start-up, before any transport prepares its topology or consumes (the EF Core outbox
/// checks that its tables have the columns its model maps). Register it as a singleton <see cref="IStartupCheck"/>;
/// checks run in registration order.
/// </summary>
/// <remarks>Throw <see cref="MessagingException"/> (or <see cref="InvalidOperationException"/>) for a problem that waiting
/// cannot fix, naming what is wrong and how to fix it: under
/// <see cref="MessagingHostExtensions.RunMessagingAsync"/> the host then stops with one Critical line (event 1012) and exit
/// code <see cref="MessagingHostExtensions.ConfigurationErrorExitCode"/>; otherwise the host's <c>StartAsync</c> throws it.
/// Something that may come back (a database or broker that does not answer yet) should be logged and let pass.</remarks>
public interface IStartupCheck
{
    /// <summary>Runs the check.</summary>
    /// <param name="cancellationToken">Cancelled when start-up is abandoned.</param>
    /// <returns>A task that completes when the check passed.</returns>
    /// <exception cref="MessagingException">The check failed in a way that waiting cannot fix.</exception>
    Task CheckAsync(CancellationToken cancellationToken);
}
