using System.Data.Common;
using Messaging.Outbox.Dialects;
using Messaging.Outbox.Writing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messaging.Outbox.Dispatch;

/// <summary>
/// Flush on commit (<see cref="OutboxOptions.FlushOnCommit"/>): right after a transaction that wrote outbox rows committed,
/// the writing process claims exactly those rows (one statement by id, with the dispatcher's per-key rule: a row whose key
/// has an earlier row pending elsewhere is left to the dispatcher), publishes them with confirms and records the outcome,
/// while <c>SaveChangesAsync</c> waits at most <see cref="OutboxOptions.FlushTimeoutMs"/>. So a message reaches the
/// broker without waiting for a dispatcher round, and writers that outrun the broker are slowed to its pace instead of
/// piling up a backlog. The dispatcher stays the fallback for every row this does not send: held back by its key, of a
/// paused transport, refused, cut off by the timeout (its lease runs out), written before the host started or while it
/// stops, or written by a process that died.
/// </summary>
internal sealed class OutboxFlusher<TContext>(
    IServiceScopeFactory scopes,
    OutboxSender sender,
    OutboxMarker marker,
    TransportCircuits circuits,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<OutboxFlusher<TContext>> logger) : IOutboxFlusher
    where TContext : DbContext
{
    private static readonly IdsStatement Claim = new((dialect, table, count) => dialect.ClaimRowsSql(table, count));
    private readonly OutboxOptions _options = options.Value;

    /// <summary>This process's lease owner for flushed rows.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}/flush";

    public Type ContextType => typeof(TContext);

    public async Task FlushAsync(DbContext db, IReadOnlyList<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        // Only while the host runs: before it has started, the consumers may not have declared their queues yet (a
        // publish would come back unroutable and spend an attempt), and once it stops, nothing should leave.
        if (!lifetime.ApplicationStarted.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested)
        {
            signal.Wake();
            return;
        }
        var flowing = rows.Where(r => r.Status == OutboxStatus.Pending && r.NotBefore is null && r.Id > 0 && circuits.Sends(r.Transport)
            && !circuits.IsPaused(circuits.NameOf(r.Transport))).ToList();
        if (flowing.Count == 0)
        {
            signal.Wake();
            return;
        }
        // One connection from the claim to the Sent mark: a pooled connection opened again would cost a reset statement.
        var opened = db.Database.GetDbConnection().State != System.Data.ConnectionState.Open;
        var claimed = new List<OutboxMessage>();
        try
        {
            if (opened) await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            claimed = await ClaimAsync(db, flowing, cancellationToken).ConfigureAwait(false);
            if (claimed.Count < rows.Count) signal.Wake(); // the rest is the dispatcher's: now, not at its next poll
            if (claimed.Count > 0) await SendAndRecordAsync(db, claimed, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the save has committed: a failed flush must not look like a failed save; the dispatcher finishes it
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // Rows not claimed are free at once; claimed ones when their lease runs out.
            if (!cancellationToken.IsCancellationRequested) OutboxLog.FlushFailed(logger, ex, flowing.Count, claimed.Count > 0 ? _options.LeaseMs : 0);
            signal.Wake();
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    private async Task SendAndRecordAsync(DbContext db, List<OutboxMessage> claimed, CancellationToken cancellationToken)
    {
        var publishing = SendAsync(claimed);
        try
        {
            var result = await publishing.WaitAsync(TimeSpan.FromMilliseconds(_options.FlushTimeoutMs), cancellationToken).ConfigureAwait(false);
            // Answered in time: recorded on the application's context, which is still this save's.
            await RecordAsync(db, result).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // The application stops waiting and goes on with its context; the outcome is recorded on a context of its
            // own once the broker answers (or the dispatcher sends the rows again when their lease runs out, and the
            // inbox absorbs the copy).
            _ = RecordLaterAsync(publishing, claimed.Count);
        }
    }

    /// <summary>Leases the given rows to this process in one statement on the open connection; returns those it got, in
    /// id order.</summary>
    private async Task<List<OutboxMessage>> ClaimAsync(DbContext db, List<OutboxMessage> rows, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var dialect = OutboxDialect.For(db);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = Claim.For(db, dialect, rows.Count);
        dialect.Add(command, "@pending", nameof(OutboxStatus.Pending)); // in the order ClaimRowsSql names them
        dialect.Add(command, "@now", now);
        dialect.Add(command, "@owner", Owner);
        dialect.Add(command, "@until", now.AddMilliseconds(_options.LeaseMs));
        dialect.AddIds(command, rows.ConvertAll(r => r.Id));
        var got = new HashSet<long>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) got.Add(reader.GetInt64(0));
        var claimed = rows.Where(r => got.Contains(r.Id)).OrderBy(r => r.Id).ToList();
        foreach (var row in claimed) (row.LeaseOwner, row.LeaseUntil) = (Owner, now.AddMilliseconds(_options.LeaseMs));
        return claimed;
    }

    private async Task<OutboxSendResult> SendAsync(List<OutboxMessage> rows)
    {
        var started = time.GetTimestamp();
        var result = await sender.SendAsync(rows, CancellationToken.None).ConfigureAwait(false); // never throws for a broker error
        OutboxMetrics.Dispatched(rows.Count, time.GetElapsedTime(started)); // a round of its own
        foreach (var (transport, reason) in result.Outages) circuits.Pause(transport, reason);
        return result;
    }

    /// <summary>The broker has answered: records it (even when the application has stopped waiting). A failure is logged;
    /// the rows' lease runs out and the dispatcher sends them again.</summary>
    private async Task RecordAsync(DbContext db, OutboxSendResult result)
    {
        try
        {
            await marker.RecordAsync(db, Owner, result, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // a failed flush is the dispatcher's to finish
        catch (Exception ex)
#pragma warning restore CA1031
        {
            OutboxLog.FlushFailed(logger, ex, result.Sent.Count + result.Unconfirmed.Count + result.Waiting.Count + result.Deferred.Count, _options.LeaseMs);
        }
    }

    private async Task RecordLaterAsync(Task<OutboxSendResult> publishing, int rows)
    {
        OutboxSendResult result;
        try
        {
            result = await publishing.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // a failed flush is the dispatcher's to finish
        catch (Exception ex)
#pragma warning restore CA1031
        {
            OutboxLog.FlushFailed(logger, ex, rows, _options.LeaseMs);
            return;
        }
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await RecordAsync(scope.ServiceProvider.GetRequiredService<TContext>(), result).ConfigureAwait(false);
        }
    }
}
