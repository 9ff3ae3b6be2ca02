namespace Messaging.Testing.Outages;

/// <summary>
/// The fault hooks <see cref="BrokerOutageCompliance{TFixture}"/> needs from a transport's fixture: a broker of the
/// fixture's own (no other test class may use it) that the suite takes away and brings back. The repository's RabbitMQ
/// fixture does it with <c>rabbitmqctl stop_app</c> / <c>start_app</c>, its Kafka fixture by taking every broker of a
/// private mock cluster down and up.
/// </summary>
public interface IBrokerFaults
{
    /// <summary>Why this fixture cannot take its broker away here (for example a shared or external broker), or null when
    /// it can. The outage tests skip with this reason.</summary>
    string? WhyNoFaults { get; }

    /// <summary>Takes the broker away: from its return until <see cref="BringBrokerBackAsync"/>, the transport's
    /// connections fail and new ones are refused or time out. The broker keeps what it had stored.</summary>
    Task TakeBrokerDownAsync();

    /// <summary>Brings the broker back with what it had stored; returns once it accepts connections again.</summary>
    Task BringBrokerBackAsync();
}
