using Messaging.Outbox.DeadLetters;
using Messaging.Outbox.Writing;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox.Operations;

/// <summary>
/// What an operator does with the dead-letters table (the <c>messaging dlq</c> commands call these): list and group, show,
/// re-drive through the outbox with the same message id, discard. Works on any DbContext whose model has the messaging
/// tables (the application's, or the CLI's own). A re-drive is exactly-once with the dead letter's state: its outbox row and
/// its <see cref="DeadLetterStatus.Redriven"/> mark (<see cref="DeadLetterStatus.Releasing"/> for a key-ordered row, which
/// keeps holding its key until handled) commit in one transaction, and only a row still parked is taken.
/// </summary>
public static class DeadLetterOperations
{
    /// <summary>Rows re-driven or discarded per transaction (count).</summary>
    public const int BatchSize = 100;

    /// <summary>The newest dead letters, optionally of one status, not tracked.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="status">Only rows of this status; null for every status.</param>
    /// <param name="limit">Most rows returned (count).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows, latest failure first.</returns>
    public static Task<List<DeadLetter>> ListAsync(DbContext db, DeadLetterStatus? status, int limit, CancellationToken cancellationToken)
    {
        var rows = db.Set<DeadLetter>().AsNoTracking();
        if (status is { } s) rows = rows.Where(d => d.Status == s);
        return rows.OrderByDescending(d => d.LastFailedAt).ThenByDescending(d => d.Id).Take(limit).ToListAsync(cancellationToken);
    }

    /// <summary>Groups the dead letters of <paramref name="status"/>, largest group first, as <see cref="Group"/> does, with
    /// one GROUP BY in the database (never reads rows or bodies): with 100,000 dead letters it returns the groups, not the
    /// rows. A failure group's description comes from its rows' smallest exception type (or reason) and failure site.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="by">What to group by.</param>
    /// <param name="status">Only rows of this status; null for every status.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The groups, largest first, then by key (ordinal).</returns>
    public static async Task<List<DeadLetterGroup>> GroupAsync(DbContext db, DeadLetterGrouping by, DeadLetterStatus? status, CancellationToken cancellationToken)
    {
        var rows = db.Set<DeadLetter>().AsNoTracking();
        if (status is { } s) rows = rows.Where(d => d.Status == s);
        var groups = by switch
        {
            DeadLetterGrouping.Type => (await rows.GroupBy(d => d.MessageType).Select(g => new
            {
                g.Key, Count = g.Count(), Others = g.Select(d => d.Endpoint).Distinct().Count(), First = g.Min(d => d.FirstFailedAt), Last = g.Max(d => d.LastFailedAt),
            }).ToListAsync(cancellationToken).ConfigureAwait(false))
                .Select(g => new DeadLetterGroup(g.Key, $"{g.Others} endpoint(s)", g.Count, g.First, g.Last)),
            DeadLetterGrouping.Endpoint => (await rows.GroupBy(d => d.Endpoint).Select(g => new
            {
                g.Key, Count = g.Count(), Others = g.Select(d => d.MessageType).Distinct().Count(), First = g.Min(d => d.FirstFailedAt), Last = g.Max(d => d.LastFailedAt),
            }).ToListAsync(cancellationToken).ConfigureAwait(false))
                .Select(g => new DeadLetterGroup(g.Key, $"{g.Others} message type(s)", g.Count, g.First, g.Last)),
            _ => (await rows.GroupBy(d => d.Fingerprint).Select(g => new
            {
                g.Key, Count = g.Count(), Exception = g.Min(d => d.ExceptionType), Reason = g.Min(d => d.Reason), Site = g.Min(d => d.FailureSite), Handler = g.Min(d => d.HandlerName),
                First = g.Min(d => d.FirstFailedAt), Last = g.Max(d => d.LastFailedAt),
            }).ToListAsync(cancellationToken).ConfigureAwait(false))
                .Select(g => new DeadLetterGroup(g.Key ?? NoFingerprint, Describe(g.Exception ?? g.Reason, g.Site), g.Count, g.First, g.Last) { Handler = g.Handler }),
        };
        return [.. groups.OrderByDescending(g => g.Count).ThenBy(g => g.Key, StringComparer.Ordinal)];
    }

    /// <summary>The failure group of dead letters recorded without a fingerprint: <c>-</c> (a fingerprint is 12 hex digits).</summary>
    public const string NoFingerprint = "-";

    private static string Describe(string? failure, string? site) => $"{failure}{(site is null ? "" : " at " + site)}";

    /// <summary>Groups dead letters already read (from the table or a broker's dead-letter queue) by failure (fingerprint:
    /// exception type, or reason, and failure site), message type or endpoint, largest first.</summary>
    /// <param name="rows">The dead letters.</param>
    /// <param name="by">What to group by.</param>
    /// <returns>The groups, largest first, then by key (ordinal).</returns>
    public static List<DeadLetterGroup> Group(IEnumerable<DeadLetter> rows, DeadLetterGrouping by)
    {
        var groups = by switch
        {
            DeadLetterGrouping.Type => rows.GroupBy(f => f.MessageType).Select(g => (g.Key, Description: $"{g.Select(f => f.Endpoint).Distinct().Count()} endpoint(s)", Items: g.ToList())),
            DeadLetterGrouping.Endpoint => rows.GroupBy(f => f.Endpoint).Select(g => (g.Key, Description: $"{g.Select(f => f.MessageType).Distinct().Count()} message type(s)", Items: g.ToList())),
            _ => rows.GroupBy(f => f.Fingerprint ?? NoFingerprint).Select(g => (g.Key,
                Description: Describe(g.First().ExceptionType ?? g.First().Reason, g.First().FailureSite), Items: g.ToList())),
        };
        return [.. groups.Select(g => new DeadLetterGroup(g.Key, g.Description, g.Items.Count, g.Items.Min(f => f.FirstFailedAt), g.Items.Max(f => f.LastFailedAt))
            { Handler = by == DeadLetterGrouping.Failure ? g.Items.Select(f => f.HandlerName).Where(h => h is not null).Order(StringComparer.Ordinal).FirstOrDefault() : null })
            .OrderByDescending(g => g.Count).ThenBy(g => g.Key, StringComparer.Ordinal)];
    }

    /// <summary>Gives broker copies the status, failures and re-drives of the same message's row in the dead-letters table
    /// (same endpoint and message id), so a copy re-driven or discarded from the table is not shown as Parked with no
    /// re-drive. Copies without a row keep their own.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="copies">Rows made from broker copies; their state is changed in place.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>How many copies were found in the table.</returns>
    public static async Task<int> OverlayTableStateAsync(DbContext db, IReadOnlyList<DeadLetter> copies, CancellationToken cancellationToken)
    {
        var ids = copies.Where(c => c.MessageId.Length > 0).Select(c => c.MessageId).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0) return 0;
        var rows = await db.Set<DeadLetter>().AsNoTracking().Where(d => ids.Contains(d.MessageId)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var found = 0;
        foreach (var copy in copies)
        {
            var row = rows.FirstOrDefault(r => r.MessageId == copy.MessageId && string.Equals(r.Endpoint, copy.Endpoint, StringComparison.Ordinal));
            if (row is null) continue;
            (copy.Status, copy.Failures, copy.RedriveCount, copy.LastRedrivenAt) = (row.Status, row.Failures, row.RedriveCount, row.LastRedrivenAt);
            found++;
        }
        return found;
    }

    /// <summary>Every row of a message id (one per endpoint that dead-lettered it), oldest first, not tracked.</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="messageId">The message id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The rows; empty when none.</returns>
    public static Task<List<DeadLetter>> FindAsync(DbContext db, string messageId, CancellationToken cancellationToken) =>
        db.Set<DeadLetter>().AsNoTracking().Where(d => d.MessageId == messageId).OrderBy(d => d.Id).ToListAsync(cancellationToken);

    /// <summary>The parked rows a selection takes, oldest first, not tracked (count them before a re-drive or discard).</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="selection">Which dead letters.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The parked rows selected.</returns>
    public static Task<List<DeadLetter>> SelectAsync(DbContext db, DeadLetterSelection selection, CancellationToken cancellationToken) =>
        Parked(db, selection).OrderBy(d => d.Id).ToListAsync(cancellationToken);

    /// <summary>The first <paramref name="limit"/> parked rows a selection takes, oldest first, not tracked (a page of a large group).</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="selection">Which dead letters.</param>
    /// <param name="limit">Most rows returned (count).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The first parked rows selected.</returns>
    public static Task<List<DeadLetter>> SelectAsync(DbContext db, DeadLetterSelection selection, int limit, CancellationToken cancellationToken) =>
        Parked(db, selection).OrderBy(d => d.Id).Take(limit).ToListAsync(cancellationToken);

    /// <summary>How many parked rows a selection takes (one COUNT).</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="selection">Which dead letters.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The count.</returns>
    public static Task<int> CountAsync(DbContext db, DeadLetterSelection selection, CancellationToken cancellationToken) =>
        Parked(db, selection).CountAsync(cancellationToken);

    /// <summary>The parked rows of <paramref name="selection"/>, not tracked.</summary>
    internal static IQueryable<DeadLetter> Parked(DbContext db, DeadLetterSelection selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var rows = db.Set<DeadLetter>().AsNoTracking().Where(d => d.Status == DeadLetterStatus.Parked);
        if (selection.Endpoint is { } endpoint) rows = rows.Where(d => d.Endpoint == endpoint);
        if (selection.Fingerprint == NoFingerprint) return rows.Where(d => d.Fingerprint == null);
        if (selection.Fingerprint is { } fingerprint) return rows.Where(d => d.Fingerprint == fingerprint);
        if (selection.All) return rows;
        var ids = selection.MessageIds.ToList();
        return rows.Where(d => ids.Contains(d.MessageId));
    }

    /// <summary>Re-drives <paramref name="rows"/>: per row, in one transaction with marking it <see cref="DeadLetterStatus.Redriven"/>
    /// (a key-ordered row <see cref="DeadLetterStatus.Releasing"/>) and counting the re-drive, an outbox row to its original destination through its transport with the same message
    /// id, <see cref="BatchSize"/> rows per transaction. A row without a message id cannot be re-driven and is left parked;
    /// a row re-driven or discarded meanwhile by someone else is left alone.</summary>
    /// <param name="db">A context with the messaging tables; its change tracker is cleared at the end.</param>
    /// <param name="rows">The rows to re-drive (from <see cref="SelectAsync(DbContext, DeadLetterSelection, CancellationToken)"/>).</param>
    /// <param name="now">The re-drive's time: the new envelope's timestamp and <c>last_redriven_at</c>.</param>
    /// <param name="progress">Called after each transaction with the rows re-driven so far; may be null.</param>
    /// <param name="cancellationToken">Cancels between and during transactions; committed batches stay re-driven.</param>
    /// <returns>The rows re-driven.</returns>
    public static async Task<int> RedriveAsync(DbContext db, IReadOnlyList<DeadLetter> rows, DateTimeOffset now, Action<int>? progress, CancellationToken cancellationToken)
    {
        var done = 0;
        foreach (var batch in rows.Where(r => r.MessageId.Length > 0).Chunk(BatchSize))
        {
            await InTransactionAsync(db, async () => done += await WriteRedrivesAsync(db, batch, now, null, cancellationToken).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            progress?.Invoke(done);
        }
        db.ChangeTracker.Clear();
        return done;
    }

    /// <summary><see cref="RedriveAsync"/> at most <paramref name="perSecond"/> rows per second on average, in small
    /// transactions (about ten a second, each of <see cref="BatchSize"/> rows at most), so that a large incident's re-drive
    /// does not flood the broker and the handlers. Killed half-way, it leaves the rest parked: the same selection run
    /// again re-drives only those (each row is re-driven once).</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="rows">The rows to re-drive, in the order to re-drive them.</param>
    /// <param name="perSecond">Most rows per second (above 0).</param>
    /// <param name="time">The clock the waits use (<see cref="TimeProvider.System"/>).</param>
    /// <param name="progress">Called after each transaction with the rows re-driven so far; may be null.</param>
    /// <param name="cancellationToken">Cancels between and during transactions; committed ones stay re-driven.</param>
    /// <returns>The rows re-driven.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="perSecond"/> is not above 0.</exception>
    public static async Task<int> RedriveAtRateAsync(DbContext db, IReadOnlyList<DeadLetter> rows, double perSecond, TimeProvider time,
        Action<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(perSecond, 0);
        var chunk = (int)Math.Clamp(Math.Ceiling(perSecond / 10), 1, BatchSize);
        var started = time.GetTimestamp();
        var done = 0;
        foreach (var part in rows.Chunk(chunk))
        {
            // The next rows may go once the rows done so far have had their share of time.
            var due = TimeSpan.FromSeconds(done / perSecond) - time.GetElapsedTime(started);
            if (due > TimeSpan.Zero) await Task.Delay(due, time, cancellationToken).ConfigureAwait(false);
            done += await RedriveAsync(db, part, time.GetUtcNow(), null, cancellationToken).ConfigureAwait(false);
            progress?.Invoke(done);
        }
        return done;
    }

    /// <summary>Marks <paramref name="rows"/> <see cref="DeadLetterStatus.Discarded"/>, <see cref="BatchSize"/> per transaction;
    /// the rows stay in the table. A key-ordered row releases, in the same transaction, the next message held behind it
    /// (through the outbox, <see cref="OutboxOptions.KeyOrderedDeadLetters"/>).</summary>
    /// <param name="db">A context with the messaging tables.</param>
    /// <param name="rows">The rows to discard.</param>
    /// <param name="now">The discard's time: the released messages' envelope timestamp.</param>
    /// <param name="progress">Called after each transaction with the rows discarded so far; may be null.</param>
    /// <param name="cancellationToken">Cancels between and during transactions.</param>
    /// <returns>How many were still parked (and are now discarded).</returns>
    public static async Task<int> DiscardAsync(DbContext db, IReadOnlyList<DeadLetter> rows, DateTimeOffset now, Action<int>? progress, CancellationToken cancellationToken)
    {
        var done = 0;
        foreach (var batch in rows.Chunk(BatchSize))
        {
            var ids = batch.Select(r => r.Id).ToList();
            await InTransactionAsync(db, async () =>
            {
                done += await db.Set<DeadLetter>().Where(d => ids.Contains(d.Id) && d.Status == DeadLetterStatus.Parked)
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeadLetterStatus.Discarded), cancellationToken).ConfigureAwait(false);
                await KeyedDeadLetters.ReleaseAfterDiscardAsync(db, batch, now, cancellationToken).ConfigureAwait(false);
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            progress?.Invoke(done);
        }
        return done;
    }

    /// <summary>Re-drives a message found on a broker's dead-letter queue or topic: records it as <paramref name="row"/> (or
    /// takes the row the transport recorded for it), writes its outbox row and marks it re-driven, in one transaction; the
    /// caller removes the broker copy only after this returned.</summary>
    /// <param name="db">A context with the messaging tables; its change tracker is cleared at the end.</param>
    /// <param name="row">The broker copy as a dead-letter row.</param>
    /// <param name="now">The re-drive's time.</param>
    /// <param name="cancellationToken">Cancels the transaction (nothing is written then).</param>
    /// <returns>A task that completes when the transaction committed.</returns>
    public static async Task ImportAndRedriveAsync(DbContext db, DeadLetter row, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await InTransactionAsync(db, async () =>
        {
            var target = await db.Set<DeadLetter>().Where(d => d.Endpoint == row.Endpoint && d.MessageId == row.MessageId).OrderBy(d => d.Id)
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (target is null) db.Set<DeadLetter>().Add(target = row);
            DeadLetterRows.Redrive(db, target, now);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        db.ChangeTracker.Clear();
    }

    /// <summary>Records a message found on a broker's dead-letter topic as a parked row (unless the endpoint has one for its
    /// message id already), so the broker copy can be passed over and the message is still there to re-drive or discard.</summary>
    /// <param name="db">A context with the messaging tables; its change tracker is cleared at the end.</param>
    /// <param name="row">The broker copy as a dead-letter row.</param>
    /// <param name="cancellationToken">Cancels the query and the insert.</param>
    /// <returns>A task that completes when the row is recorded (or was there already).</returns>
    public static async Task ImportParkedAsync(DbContext db, DeadLetter row, CancellationToken cancellationToken)
    {
        var known = row.MessageId.Length > 0 && await db.Set<DeadLetter>().AnyAsync(d => d.Endpoint == row.Endpoint && d.MessageId == row.MessageId, cancellationToken)
            .ConfigureAwait(false);
        if (known) return;
        db.Set<DeadLetter>().Add(row);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        db.ChangeTracker.Clear();
    }

    /// <summary>In the caller's transaction: for each row still parked (one re-driven or discarded meanwhile by someone else is
    /// left alone), marks it re-driven (by <paramref name="jobId"/>, or by no job) and adds its outbox row; then saves.</summary>
    /// <returns>The rows re-driven.</returns>
    internal static async Task<int> WriteRedrivesAsync(DbContext db, IEnumerable<DeadLetter> rows, DateTimeOffset now, long? jobId, CancellationToken cancellationToken)
    {
        var count = 0;
        DateTime? at = now.UtcDateTime;
        foreach (var row in rows)
        {
            // A key-ordered row keeps holding its key until its endpoint has handled the re-driven message.
            var marked = await db.Set<DeadLetter>().Where(d => d.Id == row.Id && d.Status == DeadLetterStatus.Parked)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, d => d.KeyOrdered ? DeadLetterStatus.Releasing : DeadLetterStatus.Redriven)
                    .SetProperty(d => d.RedriveCount, d => d.RedriveCount + 1).SetProperty(d => d.LastRedrivenAt, at).SetProperty(d => d.LastRedriveJobId, jobId), cancellationToken).ConfigureAwait(false);
            if (marked == 0) continue;
            db.Set<OutboxMessage>().Add(OutboxRows.ToRow(DeadLetterRows.ToEnvelope(row, now), row.Transport));
            count++;
        }
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    internal static async Task InTransactionAsync(DbContext db, Func<Task> work, CancellationToken cancellationToken)
    {
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            await work().ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
