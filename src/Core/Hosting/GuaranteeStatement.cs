namespace Messaging.Hosting;

/// <summary>
/// One part of the start-up report (event 1010): what a package guarantees with the settings in force. Transports
/// register one for their name; the outbox registers one for the inbox and the outbox (<paramref name="Transport"/> null:
/// every endpoint). Registered as a singleton service; the host reads every one at start-up.
/// </summary>
/// <param name="Transport">The transport it is about, or null for every transport.</param>
/// <param name="Topic">What it covers (<c>transport</c>, <c>inbox</c>); a report without an <c>inbox</c> statement says the
/// inbox is off.</param>
/// <param name="Describe">The endpoint name → one short sentence, never a secret.</param>
public sealed record GuaranteeStatement(string? Transport, string Topic, Func<string, string> Describe)
{
    /// <summary>The topic of the inbox's statement (the EF Core outbox package registers it).</summary>
    public const string InboxTopic = "inbox";

    /// <summary>The topic of a transport's statement (<see cref="MessagingBuilder.AddTransport{TOptions, TValidator}"/> registers it).</summary>
    public const string TransportTopic = "transport";
}
