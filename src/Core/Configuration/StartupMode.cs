namespace Messaging.Configuration;

/// <summary>What the host does at start-up when a broker it consumes from cannot be reached
/// (<c>Messaging:StartupMode</c>). Configuration that can never work (unknown transport, invalid values, a refused
/// topology or login) stops the host in both modes.</summary>
public enum StartupMode
{
    /// <summary>Start anyway (default): the outbox accepts writes, other transports run, health checks report the
    /// missing broker, and the consumers attach by themselves when it answers (backoff with jitter, no restart).</summary>
    Degraded,
    /// <summary>Start only when every consumed broker answers and its topology is declared; otherwise the host fails
    /// to start with a <see cref="MessagingException"/> naming the broker.</summary>
    FailFast,
}
