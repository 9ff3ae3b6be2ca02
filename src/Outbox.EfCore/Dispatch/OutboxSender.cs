using System.Text.Json;
using Messaging.Hosting;
using Messaging.Outbox.Writing;
using Messaging.Publishing;
using Messaging.Transport;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox.Dispatch;

/// <summary>
/// Publishes a claimed batch, each row through its own transport (<see cref="MessagingTransports.Get"/>, null = the
/// primary), keeping id order per partition key. <see cref="OutboxOrdering.StrictPerKey"/>: one row in flight per
/// key, keys in parallel, keyless rows pipelined per transport, a key stops at its first unconfirmed row.
/// <see cref="OutboxOrdering.Pipelined"/>: one pipelined batch per transport. Every send goes through the same
/// <see cref="OutgoingPipeline"/> as a direct publish (size limit, span, counters). Never throws for a broker error.
/// A failure of the transport as a whole (<see cref="PublishException.IsOutage"/>, or a timeout while its health
/// says the broker is unavailable) makes the row wait without counting an attempt.
/// </summary>
internal sealed class OutboxSender(MessagingTransports transports, TransportCircuits circuits, OutgoingPipeline outgoing, IOptions<OutboxOptions> options)
{
    private const int MaxErrorLength = 2_000;

    public async Task<OutboxSendResult> SendAsync(IReadOnlyList<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        var result = new OutboxSendResult();
        var readable = new List<(OutboxMessage Row, Envelope Envelope)>(rows.Count);
        foreach (var row in rows)
        {
            // A row edited into an unreadable state must not stall the outbox: it is failed at once.
            try { readable.Add((row, OutboxRows.ToEnvelope(row))); }
            catch (JsonException ex) { result.Unconfirm(row, (Truncate("headers are not a JSON object of strings: " + ex.Message), true, "UnreadableRow")); }
        }

        var pipelined = options.Value.Ordering == OutboxOrdering.Pipelined;
        if (rows.Count == 1 && readable.Count == 1) // a commit's one row (the common flush): no groups to run side by side
            return pipelined || readable[0].Row.PartitionKey is null
                ? await SendBatchAsync(readable, yieldFirst: false, cancellationToken).ConfigureAwait(false)
                : await SendKeyAsync(readable, yieldFirst: false, cancellationToken).ConfigureAwait(false);
        List<Task<OutboxSendResult>> work;
        if (pipelined)
            work = readable.GroupBy(r => circuits.NameOf(r.Row.Transport), StringComparer.OrdinalIgnoreCase)
                .Select(g => SendBatchAsync(g.ToList(), yieldFirst: true, cancellationToken)).ToList();
        else
        {
            work = readable.Where(r => r.Row.PartitionKey is null)
                .GroupBy(r => circuits.NameOf(r.Row.Transport), StringComparer.OrdinalIgnoreCase)
                .Select(g => SendBatchAsync(g.ToList(), yieldFirst: true, cancellationToken)).ToList();
            work.AddRange(readable.Where(r => r.Row.PartitionKey is not null)
                .GroupBy(r => r.Row.PartitionKey!, StringComparer.Ordinal)
                .Select(g => SendKeyAsync(g.ToList(), yieldFirst: true, cancellationToken)));
        }
        foreach (var part in await Task.WhenAll(work).ConfigureAwait(false)) result.Add(part);
        return result;
    }

    /// <summary>All rows of one transport in flight at once; <paramref name="yieldFirst"/> when other groups run beside it.</summary>
    private async Task<OutboxSendResult> SendBatchAsync(List<(OutboxMessage Row, Envelope Envelope)> rows, bool yieldFirst, CancellationToken cancellationToken)
    {
        if (yieldFirst) await Task.Yield();
        var result = new OutboxSendResult();
        IMessageTransport transport;
        try { transport = transports.Get(rows[0].Row.Transport); }
        catch (InvalidOperationException ex)
        {
            foreach (var (row, _) in rows) result.Unconfirm(row, (Truncate(ex.Message), false, "UnknownTransport"));
            return result;
        }
        var failed = new Dictionary<string, Exception>(StringComparer.Ordinal);
        try
        {
            await outgoing.SendBatchAsync(transport, rows.ConvertAll(r => r.Envelope), cancellationToken).ConfigureAwait(false);
        }
        catch (BatchPublishException ex)
        {
            foreach (var failure in ex.Failures) failed.TryAdd(failure.MessageId, failure);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            result.Defer(rows.Select(r => r.Row)); // unknown which went out: sent again later, the inbox absorbs it
            return result;
        }
#pragma warning disable CA1031 // any transport error leaves the rows unconfirmed, never crashes the dispatcher
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var (row, _) in rows) failed.TryAdd(row.MessageId, ex);
        }
        foreach (var (row, _) in rows)
        {
            if (failed.TryGetValue(row.MessageId, out var error)) Fail(result, transport, row, error);
            else result.Sent.Add(row);
        }
        if (result.Sent.Count > 0) result.Answer(transport.Name);
        return result;
    }

    /// <summary>The rows of one partition key, one at a time in id order, stopping at the first unconfirmed one;
    /// <paramref name="yieldFirst"/> when other groups run beside it.</summary>
    private async Task<OutboxSendResult> SendKeyAsync(List<(OutboxMessage Row, Envelope Envelope)> rows, bool yieldFirst, CancellationToken cancellationToken)
    {
        if (yieldFirst) await Task.Yield();
        var result = new OutboxSendResult();
        for (var i = 0; i < rows.Count; i++)
        {
            var (row, envelope) = rows[i];
            IMessageTransport? transport = null;
            try
            {
                transport = transports.Get(row.Transport);
                await outgoing.SendAsync(transport, envelope, cancellationToken).ConfigureAwait(false);
                result.Sent.Add(row);
                result.Answer(transport.Name);
                continue;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                result.Defer([row]);
            }
#pragma warning disable CA1031 // any transport error leaves the row unconfirmed, never crashes the dispatcher
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Fail(result, transport, row, ex);
            }
            result.Defer(rows.Skip(i + 1).Select(r => r.Row));
            break;
        }
        return result;
    }

    /// <summary>Files an unconfirmed row: waiting (an outage of its transport) or unconfirmed (counted).</summary>
    private static void Fail(OutboxSendResult result, IMessageTransport? transport, OutboxMessage row, Exception error)
    {
        if (transport is not null && IsOutage(transport, error))
        {
            var reason = Truncate(error.Message);
            result.Wait(row, transport.Name, $"{transport.Name} unavailable, attempt not counted: {reason}", reason);
            return;
        }
        if (transport is not null && error is PublishException) result.Answer(transport.Name); // the broker refused this one
        result.Unconfirm(row, error is PublishException publish
            ? (Truncate(publish.Message), publish.Failure == PublishFailure.Invalid, publish.Failure.ToString())
            : (Truncate(error.GetType().Name + ": " + error.Message), false, error.GetType().Name));
    }

    private static bool IsOutage(IMessageTransport transport, Exception error) =>
        error is PublishException publish
        && (publish.IsOutage || (!transport.Health.IsAvailable && publish.Failure is PublishFailure.Timeout or PublishFailure.NotConfirmed));

    private static string Truncate(string text) => text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
}
