namespace Messaging.RabbitMq.Tests;

/// <summary>
/// Fault injection through rabbitmqctl on one test broker: docker exec in its container, or the local node (or the node
/// MESSAGING_RABBITMQ_NODE or MESSAGING_RABBITMQ_FAULTS_NODE names, see eng/rabbitmq-test-node.sh); unavailable, with
/// the reason, against an external broker without a node name and for a fault broker that would be shared. Every call
/// is bounded (60 s).
/// </summary>
public sealed class BrokerControl(Messaging.Tests.Containers.RabbitMqServer? broker, string? whyNoBroker)
{
    private Messaging.Tests.Containers.RabbitMqServer Server => broker ?? throw new InvalidOperationException(whyNoBroker);

    /// <summary>True when rabbitmqctl reaches the broker.</summary>
    public bool Available => WhyUnavailable is null;

    /// <summary>Why rabbitmqctl cannot reach the broker and what would make it: the reason a test that needs it is
    /// skipped with. Null when it can.</summary>
    public string? WhyUnavailable => whyNoBroker ?? broker?.WhyNoControl;

    /// <summary>Force-closes the connections whose client-provided name is <paramref name="clientName"/>; returns how many.</summary>
    public async Task<int> CloseConnectionsAsync(string clientName)
    {
        var listing = await Server.CtlAsync("-q", "list_connections", "--no-table-headers", "pid", "client_properties");
        var names = listing.Split('\n').Where(line => line.Contains(clientName, StringComparison.Ordinal))
            .Select(line => line.Split('\t')[0]).ToList();
        foreach (var name in names) await Server.CtlAsync("-q", "close_connection", name, "fault injection by test");
        return names.Count;
    }

    /// <summary>Messages of <paramref name="queue"/> delivered to a consumer and not acknowledged yet.</summary>
    public async Task<int> UnacknowledgedAsync(string queue)
    {
        var listing = await Server.CtlAsync("-q", "list_queues", "--no-table-headers", "name", "messages_unacknowledged");
        return listing.Split('\n').Select(line => line.Split('\t')).Where(f => f.Length == 2 && f[0] == queue)
            .Select(f => int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture)).SingleOrDefault();
    }

    /// <summary>The client-provided names of the open connections.</summary>
    public Task<string> ListConnectionNamesAsync() => Server.CtlAsync("-q", "list_connections", "--no-table-headers", "client_properties");

    /// <summary><c>rabbitmqctl close_all_connections</c>: every client connection of the node is closed.</summary>
    public Task CloseAllConnectionsAsync() => Server.CtlAsync("-q", "close_all_connections", "fault injection by test");

    /// <summary><c>rabbitmqctl stop_app</c>: the broker stops (the Erlang node stays up).</summary>
    public Task StopAppAsync() => Server.CtlAsync("-q", "stop_app");

    /// <summary><c>rabbitmqctl start_app</c> then <c>await_startup</c>.</summary>
    public async Task StartAppAsync()
    {
        await Server.CtlAsync("-q", "start_app");
        await Server.CtlAsync("-q", "await_startup");
    }
}
