using System.Globalization;
using Messaging;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.Extensions.Logging;

namespace Spool;

/// <summary>
/// Messages as files in folders on one machine's disk: <c>&lt;Root&gt;/bindings/&lt;destination&gt;/&lt;endpoint&gt;</c>
/// says which endpoints a destination reaches, <c>&lt;Root&gt;/queues/&lt;endpoint&gt;/*.msg</c> are an endpoint's messages
/// in publish order, <c>&lt;Root&gt;/queues/&lt;endpoint&gt;.dlq/</c> its dead letters. A publish returns once the file is on
/// disk for every bound endpoint; a consumer handles one message at a time in file order and deletes it only after it
/// was settled, so a message whose handling did not finish is read again (at least once; the inbox makes it once).
/// </summary>
public sealed class SpoolTransport : IMessageTransport
{
    /// <summary>The <c>Messaging:Transport</c> value that selects it.</summary>
    public const string TransportName = "Spool";

    private readonly SpoolOptions _options;
    private readonly ILogger _logger;
    private readonly IDeadLetterRecorder? _recorder;
    private readonly TimeProvider _time;
    private readonly Lock _naming = new();
    private long _lastTicks;

    /// <summary>Creates the transport; nothing touches the disk before <see cref="PrepareAsync"/> or a publish.</summary>
    /// <param name="options">Validated options (<see cref="SpoolOptionsValidator"/>).</param>
    /// <param name="logger">Where outages and settlement failures are logged.</param>
    /// <param name="recorder">Records each dead letter in the application's database too, when the outbox registered one.</param>
    /// <param name="time">The host's clock, for every wait and timestamp; null for the system clock.</param>
    public SpoolTransport(SpoolOptions options, ILogger logger, IDeadLetterRecorder? recorder = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_options, _logger, _recorder, _time) = (options, logger, recorder, time ?? TimeProvider.System);
        Health = new TransportHealth(TransportName, logger, _time);
    }

    /// <inheritdoc />
    public string Name => TransportName;

    /// <inheritdoc />
    /// <remarks>A publish to a destination no endpoint is bound to fails; what was published is on disk.</remarks>
    public TransportCapabilities Capabilities => TransportCapabilities.UnroutableDetection | TransportCapabilities.Durable;

    /// <inheritdoc />
    public TransportHealth Health { get; }

    /// <inheritdoc />
    /// <remarks>Creates each endpoint's queue and dead-letter folders and binds it to its destinations.</remarks>
    public Task PrepareAsync(IReadOnlyList<ConsumerEndpoint> endpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (var endpoint in endpoints)
        {
            Directory.CreateDirectory(Queue(endpoint.Name));
            Directory.CreateDirectory(DeadLetters(endpoint.Name));
            foreach (var destination in endpoint.Destinations)
            {
                Directory.CreateDirectory(Bindings(destination));
                File.WriteAllBytes(Path.Combine(Bindings(destination), endpoint.Name), []);
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SendAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var bindings = Bindings(envelope.Destination);
        var endpoints = Directory.Exists(bindings) ? Directory.GetFiles(bindings).Select(Path.GetFileName).ToList() : [];
        if (endpoints.Count == 0)
            throw new PublishException(PublishFailure.Unroutable, envelope.Destination, envelope.MessageId, "no endpoint is bound to this destination");
        var headers = SpoolFile.Headers(envelope);
        var name = NextFileName();
        try
        {
            foreach (var endpoint in endpoints) SpoolFile.Write(Queue(endpoint!), name, headers, envelope.Body);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Health.ReportUnavailable($"spool folder {_options.Root}: {ex.Message}");
            throw new PublishException(PublishFailure.BrokerUnavailable, envelope.Destination, envelope.MessageId, ex.Message, ex);
        }
        Health.ReportAvailable();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>In list order, so each partition key's messages are written in order.</remarks>
    public Task SendBatchAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken) =>
        BatchPublishing.SendOneByOneAsync(envelopes, SendAsync, cancellationToken);

    /// <inheritdoc />
    public async Task ReceiveAsync(ConsumerEndpoint endpoint, MessageProcessor processor, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(processor);
        var queue = Queue(endpoint.Name);
        var seen = new HashSet<string>(StringComparer.Ordinal); // handed to the processor before: a redelivery
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var next = Directory.Exists(queue) ? Directory.EnumerateFiles(queue, "*.msg").Order(StringComparer.Ordinal).FirstOrDefault() : null;
                if (next is null || !await HandleAsync(endpoint, next, seen, processor, stoppingToken).ConfigureAwait(false))
                    await Task.Delay(TimeSpan.FromMilliseconds(_options.PollIntervalMs), _time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping: the message in hand stays in the folder and is read again
        }
    }

    /// <summary>The dead letters of <paramref name="endpoint"/>, oldest first, with their reason headers
    /// (<c>dead-letter-*</c>) among <see cref="Envelope.Headers"/>.</summary>
    /// <param name="endpoint">The consuming endpoint's name.</param>
    public IReadOnlyList<Envelope> ReadDeadLetters(string endpoint) =>
        Directory.Exists(DeadLetters(endpoint))
            ? [.. Directory.EnumerateFiles(DeadLetters(endpoint), "*.msg").Order(StringComparer.Ordinal)
                .Select(path => SpoolFile.Read(path, _time.GetUtcNow()).Envelope).OfType<Envelope>()]
            : [];

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Runs the processor on one file and settles it; false when it stays for later (not settled).</summary>
    private async Task<bool> HandleAsync(ConsumerEndpoint endpoint, string path, HashSet<string> seen, MessageProcessor processor, CancellationToken stoppingToken)
    {
        var name = Path.GetFileName(path);
        var source = $"spool {endpoint.Name} file {name}";
        var (envelope, error) = SpoolFile.Read(path, _time.GetUtcNow());
        var incoming = new IncomingMessage(envelope ?? new Envelope { MessageId = "", MessageType = "", Destination = "" }, source, !seen.Add(name))
        {
            Unreadable = error,
        };
        ProcessingResult result;
        try
        {
            result = await processor(incoming, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            _logger.LogWarning(ex, "Processing {Source} failed; the file stays and is read again", source);
            return false;
        }
        try
        {
            if (result.Status == ProcessingStatus.DeadLetter) await DeadLetterAsync(endpoint, path, envelope, result.Failure!, source).ConfigureAwait(false);
            else if (result.Status == ProcessingStatus.RetryLater) return false; // no DelayedRetry capability: read it again
            File.Delete(path); // the ack
            seen.Remove(name);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException) // the disk or the dead-letter record refused
        {
            _logger.LogWarning(ex, "Settling {Source} failed; the file stays and is read again", source);
            return false;
        }
    }

    /// <summary>The copy in the dead-letter folder with the reason headers, then its record in the database; only then is
    /// the original deleted. A file that could not be read is copied as it is, with its reason in a <c>.reason</c> file.</summary>
    private async Task DeadLetterAsync(ConsumerEndpoint endpoint, string path, Envelope? envelope, DeadLetterReason reason, string source)
    {
        var folder = DeadLetters(endpoint.Name);
        var name = Path.GetFileName(path);
        var now = _time.GetUtcNow();
        if (envelope is null)
        {
            File.WriteAllText(Path.Combine(folder, name + ".reason"), reason.Reason);
            File.Copy(path, Path.Combine(folder, name + ".unreadable"), overwrite: true);
            return;
        }
        if (!File.Exists(Path.Combine(folder, name)))
            SpoolFile.Write(folder, name, SpoolFile.Headers(envelope, reason.ToHeaders(envelope, source, now)), envelope.Body);
        if (_recorder is not null)
            await _recorder.RecordAsync(new DeadLetterEntry(envelope, reason, TransportName, endpoint.Name, source, folder, now), CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Names sort in publish order within this process: UTC ticks, never repeated, then the process id.</summary>
    private string NextFileName()
    {
        long ticks;
        lock (_naming) ticks = _lastTicks = Math.Max(_lastTicks + 1, _time.GetUtcNow().UtcTicks);
        return string.Create(CultureInfo.InvariantCulture, $"{ticks:D19}-{Environment.ProcessId}.msg");
    }

    private string Bindings(string destination) => Path.Combine(_options.Root, "bindings", destination);

    private string Queue(string endpoint) => Path.Combine(_options.Root, "queues", endpoint);

    private string DeadLetters(string endpoint) => Path.Combine(_options.Root, "queues", endpoint + ".dlq");
}
