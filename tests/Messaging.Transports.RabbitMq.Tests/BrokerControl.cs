namespace Messaging.RabbitMq.Tests;

/// <summary>
/// Fault injection through rabbitmqctl on one test broker: docker exec in its container, or the local node (or the node
/// MESSAGING_RABBITMQ_NODE names, see eng/rabbitmq-test-node.sh); unavailable against an external broker without a
/// node name. Every call is bounded (60 s).
/// </summary>
public sealed class BrokerControl(Messaging.Tests.Containers.RabbitMqServer server)
{
    /// <summary>True when rabbitmqctl reaches the broker.</summary>
    public bool Available => server.CanControl;

    /// <summary>Force-closes the connections whose client-provided name is <paramref name="clientName"/>; returns how many.</summary>
    public async Task<int> CloseConnectionsAsync(string clientName)
    {
        var listing = await server.CtlAsync("-q", "list_connections", "--no-table-headers", "pid", "client_properties");
        var names = listing.Split('\n').Where(line => line.Contains(clientName, StringComparison.Ordinal))
            .Select(line => line.Split('\t')[0]).ToList();
        foreach (var name in names) await server.CtlAsync("-q", "close_connection", name, "fault injection by test");
        return names.Count;
    }

    /// <summary>The client-provided names of the open connections.</summary>
    public Task<string> ListConnectionNamesAsync() => server.CtlAsync("-q", "list_connections", "--no-table-headers", "client_properties");

    /// <summary><c>rabbitmqctl close_all_connections</c>: every client connection of the node is closed.</summary>
    public Task CloseAllConnectionsAsync() => server.CtlAsync("-q", "close_all_connections", "fault injection by test");

    /// <summary><c>rabbitmqctl stop_app</c>: the broker stops (the Erlang node stays up).</summary>
    public Task StopAppAsync() => server.CtlAsync("-q", "stop_app");

    /// <summary><c>rabbitmqctl start_app</c> then <c>await_startup</c>.</summary>
    public async Task StartAppAsync()
    {
        await server.CtlAsync("-q", "start_app");
        await server.CtlAsync("-q", "await_startup");
    }
}
