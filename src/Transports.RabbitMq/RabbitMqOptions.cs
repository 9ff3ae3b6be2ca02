namespace Messaging.RabbitMq;

/// <summary>
/// RabbitMQ transport settings, bound from the configuration section <c>Messaging:RabbitMq</c> and
/// validated at start-up when <c>Messaging:Transport</c> is <c>RabbitMq</c> (an invalid value stops the
/// host with an error naming the key and the allowed values).
/// </summary>
public sealed class RabbitMqOptions
{
    /// <summary>The configuration section name: <c>Messaging:RabbitMq</c>.</summary>
    public const string SectionName = "Messaging:RabbitMq";

    /// <summary><c>Messaging:RabbitMq:Uri</c>: the broker as an <c>amqp://</c> or <c>amqps://</c> URI with user,
    /// password, host, port and virtual host. Default <c>amqp://guest:guest@127.0.0.1:5672/</c>.
    /// It is a secret: the library never logs it or puts it in exception messages (host and vhost only).</summary>
#pragma warning disable CA1056 // a string binds from configuration and lets the validator report a bad value by key
    public string Uri { get; set; } = "amqp://guest:guest@127.0.0.1:5672/";
#pragma warning restore CA1056

    /// <summary><c>Messaging:RabbitMq:Hosts</c>: the nodes of a cluster, each <c>host</c> or <c>host:port</c> (IPv6 in
    /// brackets; no user or password here), for example <c>["rmq1:5672","rmq2:5672","rmq3:5672"]</c>. The connection
    /// goes to a reachable node (the client tries them in random order) and automatic recovery moves it to a surviving
    /// node when its node goes; user, password, vhost and TLS still come from <see cref="Uri"/>, <see cref="UserName"/>,
    /// <see cref="Password"/> and <see cref="Tls"/> (TLS expects each node's own name unless <c>Tls:ServerName</c> is set).
    /// Default empty: the host of <see cref="Uri"/>. An entry that is not host or host:port stops the host at start-up,
    /// naming this key.</summary>
    public string[] Hosts { get; set; } = [];

    /// <summary><c>Messaging:RabbitMq:Prefetch</c>: unacknowledged messages the broker sends ahead to one
    /// consumer (count, 1..65535, the AMQP <c>basic.qos</c> prefetch-count). Default 100. Messages are still
    /// handled one at a time in delivery order.</summary>
    public int Prefetch { get; set; } = 100;

    /// <summary><c>Messaging:RabbitMq:QueueType</c>: <c>Quorum</c> (default) or <c>Classic</c>, for endpoint and
    /// dead-letter queues. Changing it for an existing queue fails start-up (the broker refuses the redeclare).</summary>
    public RabbitMqQueueType QueueType { get; set; } = RabbitMqQueueType.Quorum;

    /// <summary><c>Messaging:RabbitMq:PublishTimeoutMs</c>: longest wait for a publisher confirm (ms,
    /// 1..600000) before a publish fails with <c>PublishFailure.Timeout</c>. Default 30000.</summary>
    public int PublishTimeoutMs { get; set; } = 30_000;

    /// <summary><c>Messaging:RabbitMq:MaxOutstandingConfirms</c>: publishes awaiting their confirm at once on the
    /// publish channel (count, 1..65535); further publishes wait, in order. Default 256.</summary>
    public int MaxOutstandingConfirms { get; set; } = 256;

    /// <summary><c>Messaging:RabbitMq:ClientProvidedName</c>: the connection name shown in the management UI;
    /// null or empty for the <c>Messaging:Endpoint</c> value.</summary>
    public string? ClientProvidedName { get; set; }

    /// <summary><c>Messaging:RabbitMq:ConcurrentMessageLimit</c>: messages of one endpoint handled at once
    /// (count, 1..256). Default 1 (strict delivery order). Above 1, messages with the same partition key still
    /// run one at a time in delivery order (they share a lane chosen by the key's hash); different keys run
    /// concurrently. Each message is acknowledged on its own after its handling. Keep <see cref="Prefetch"/>
    /// at least this high, or lanes starve.</summary>
    public int ConcurrentMessageLimit { get; set; } = 1;

    /// <summary><c>Messaging:RabbitMq:SingleActiveConsumer</c>: declare endpoint queues with
    /// <c>x-single-active-consumer</c> (RabbitMQ's "Single Active Consumer"), so one consumer of all service instances
    /// receives at a time and the others stand by until it goes. Default true: it is what keeps per-key order when a
    /// consumer fails over. Without it, a consumer that attaches while the broker still counts an earlier consumer as
    /// alive (a broker restart, a connection the broker has not yet seen die) receives later messages before the
    /// earlier consumer's unacknowledged ones come back, so a key's messages are applied out of order (the fault
    /// harness saw it after a broker SIGKILL). False lets every instance consume at once (more throughput across
    /// instances) and gives up per-key order across consumers. Within one instance, <see cref="ConcurrentMessageLimit"/>
    /// lanes run different keys in parallel either way. Changing it for an existing queue fails start-up (the broker
    /// refuses the redeclare with 406 PRECONDITION_FAILED): recreate the queue, or set this to what the queue has.</summary>
    public bool SingleActiveConsumer { get; set; } = true;

    /// <summary><c>Messaging:RabbitMq:DeclareTopology</c>: declare exchanges, queues, bindings and retry queues
    /// (default true). False when operations own the topology: nothing is declared, and start-up verifies
    /// passively that every exchange and queue exists, failing with a <see cref="MessagingException"/> that
    /// names the first missing one.</summary>
    public bool DeclareTopology { get; set; } = true;

    /// <summary><c>Messaging:RabbitMq:ShutdownGraceMs</c>: on shutdown, how long handlers already running may
    /// finish before they are cancelled (ms, 0..600000). Default 10000; keep it below the host's shutdown
    /// timeout. A handler that finishes in time is acknowledged; one that does not is redelivered later.</summary>
    public int ShutdownGraceMs { get; set; } = 10_000;

    /// <summary><c>Messaging:RabbitMq:RecoveryIntervalMs</c>: pause between attempts to reconnect after the
    /// connection was lost (ms, 100..600000). Default 5000. Publishes during the outage fail with
    /// <c>PublishFailure.ConnectionLost</c> at once; consumers resume after the reconnect.</summary>
    public int RecoveryIntervalMs { get; set; } = 5_000;

    /// <summary><c>Messaging:RabbitMq:UserName</c>: overrides the user of <see cref="Uri"/> when set.</summary>
    public string? UserName { get; set; }

    /// <summary><c>Messaging:RabbitMq:Password</c>: overrides the password of <see cref="Uri"/> when set. A
    /// secret: never logged, never in exception messages.</summary>
    public string? Password { get; set; }

    /// <summary><c>Messaging:RabbitMq:Tls</c>: TLS settings; an <c>amqps://</c> URI turns TLS on as well.</summary>
    public RabbitMqTlsOptions Tls { get; set; } = new();
}
