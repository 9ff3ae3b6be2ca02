using Messaging.Testing.Outages;
using Messaging.Tests;
using Messaging.Tests.Containers;
using Xunit;
using Xunit.Abstractions;

namespace Messaging.RabbitMq.Tests;

/// <summary>The outage suite of Messaging.Testing on a private broker stopped with <c>rabbitmqctl stop_app</c>, on
/// PostgreSQL (the Kafka run covers SQLite). The client reconnects every <see cref="FaultBroker.RecoveryIntervalMs"/>,
/// and the transport sees the outage before a send fails, so no row spends an attempt on it.</summary>
[Collection(BrokerFaultCollection.Name)]
public sealed class RabbitMqOutageCompliance(FaultBroker broker, ITestOutputHelper output) : BrokerOutageCompliance<FaultBroker>(broker, output)
{
    protected override TimeSpan Outage => TimeSpan.FromSeconds(12);

    protected override TimeSpan? ReconnectBound => TimeSpan.FromMilliseconds(FaultBroker.RecoveryIntervalMs + 2_000); // + this test's polling on a loaded machine

    protected override bool OutageSpendsNoAttempt => true;

    protected override int MostLogLines => 15;

    protected override async Task<OutageDatabase> CreateDatabaseAsync() => PostgresOutageDatabase.Create(await PostgresServer.ConnectionStringAsync());
}
