namespace Messaging.Hosting;

/// <summary>
/// One part of the start-up report (event 1010): what a package guarantees with the settings in force. Transports
/// register one for their name; the outbox registers one for the inbox and the outbox (<paramref name="Transport"/> null:
/// every endpoint).
/// </summary>
/// <param name="Transport">The transport it is about, or null for every transport.</param>
/// <param name="Topic">What it covers (<c>transport</c>, <c>inbox</c>); a report without an <c>inbox</c> statement says the
/// inbox is off.</param>
/// <param name="Describe">The endpoint name → one short sentence, never a secret.</param>
internal sealed record GuaranteeStatement(string? Transport, string Topic, Func<string, string> Describe)
{
    public const string InboxTopic = "inbox";
    public const string TransportTopic = "transport";
}
