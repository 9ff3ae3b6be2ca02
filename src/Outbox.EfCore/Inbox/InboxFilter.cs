using System.Runtime.CompilerServices;
using Messaging.Handling;
using Messaging.Outbox.Dialects;
using Messaging.Outbox.Schema;
using Messaging.Outbox.Writing;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Messaging.Outbox.Inbox;

/// <summary>
/// The inbox: runs each handler in a database transaction on the scoped <typeparamref name="TContext"/> that
/// first records (message id, handler name) and commits that row together with the handler's changes. A message
/// already recorded is skipped without running the handler; a failing handler rolls everything back and the
/// pipeline retries.
/// </summary>
/// <remarks>
/// The record is one <c>INSERT ... ON CONFLICT (message_id, handler_name) DO NOTHING</c> before the handler runs:
/// no row written means the message was already handled. A concurrent duplicate waits on the key (PostgreSQL: until
/// the first inserter commits or rolls back) or on the write lock (SQLite) instead of running the handler
/// alongside, and then sees the committed row. Round trips per handled message: the insert (with the lazily sent
/// BEGIN), the handler's own saves, COMMIT; in a batch, the savepoint with the insert and the handler's saves, and one
/// COMMIT for the batch.
/// </remarks>
internal sealed class InboxFilter<TContext>(TimeProvider time, InboxBatcher<TContext> batcher, OutboxCommitInterceptor commits, ILogger<InboxFilter<TContext>> logger)
    : IHandlerFilter where TContext : DbContext
{
    private static readonly ConditionalWeakTable<IModel, string> InsertByModel = [];

    public async Task<HandlerOutcome> InvokeAsync(MessageContext context, Func<CancellationToken, Task<HandlerOutcome>> next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var db = context.Services.GetRequiredService<TContext>();
        if (db.Database.CurrentTransaction is not null)
            return await RunInCallersTransactionAsync(db, context, next, cancellationToken).ConfigureAwait(false);
        if (batcher.Accepts(db))
            return await RunInBatchAsync(db, context, next, cancellationToken).ConfigureAwait(false);

        var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            try
            {
                if (!await TryRecordAsync(db, context, savepoint: null, cancellationToken).ConfigureAwait(false))
                {
                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    OutboxLog.DuplicateSkipped(logger, context.Envelope.MessageId, context.HandlerName);
                    return HandlerOutcome.SkippedDuplicate;
                }
                var outcome = await RunAndSaveAsync(db, next, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return outcome;
            }
            catch
            {
                await TryRollbackAsync(transaction, context).ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>
    /// In a batch's transaction (<see cref="InboxBatcher{TContext}"/>): waits for the turn, then on the batch's connection,
    /// inside a savepoint, records and runs as in a transaction of its own; returns only after the batch committed.
    /// A failure rolls back to the savepoint and is thrown at once (the pipeline retries it); the batch goes on.
    /// </summary>
    private async Task<HandlerOutcome> RunInBatchAsync(TContext db, MessageContext context, Func<CancellationToken, Task<HandlerOutcome>> next, CancellationToken cancellationToken)
    {
        var turn = batcher.Enqueue(db, cancellationToken);
        var (connection, shared, savepoint) = await turn.Granted.ConfigureAwait(false);
        HandlerOutcome outcome;
        IDbContextTransaction? transaction = null;
        var own = OwnConnection.Of(db);
        try
        {
            db.Database.SetDbConnection(connection, contextOwnsConnection: false);
            transaction = await db.Database.UseTransactionAsync(shared, cancellationToken).ConfigureAwait(false);
            db.Database.AutoSavepointsEnabled = false; // the run's own savepoint is the unit of rollback
            // The savepoint is made with the inbox row (in its command where the dialect allows) and never released (the
            // commit ends them all); the name is this run's alone, so a rollback to it fails rather than undo another run
            // if it was never made.
            outcome = await TryRecordAsync(db, context, savepoint, cancellationToken).ConfigureAwait(false)
                ? await RunAndSaveAsync(db, next, cancellationToken).ConfigureAwait(false)
                : HandlerOutcome.SkippedDuplicate;
        }
        catch (Exception)
        {
            await LeaveBatchAsync(db, turn, transaction is not null ? savepoint : null, context).ConfigureAwait(false);
            throw;
        }
        finally
        {
            await own.RestoreAsync(db).ConfigureAwait(false);
        }
        turn.Finish(kept: true);
        await turn.Committed.ConfigureAwait(false); // a failed commit throws here: nothing of this run is durable
        commits.CommittedElsewhere(db);
        if (outcome == HandlerOutcome.SkippedDuplicate) OutboxLog.DuplicateSkipped(logger, context.Envelope.MessageId, context.HandlerName);
        return outcome;
    }

    /// <summary>What a handler's context had before it joined a batch, put back once its run is over, so that a context from
    /// a DbContext pool goes back to its pool with its own connection (created again from its options when next used), not
    /// with the batch's connection and transaction (EF Core resets its own state on return, not a connection set by hand).</summary>
    private readonly record struct OwnConnection(string? ConnectionString, System.Data.Common.DbConnection? Connection, bool Owned, bool AutoSavepoints)
    {
        public static OwnConnection Of(TContext db)
        {
            var options = ContextConnectionOptions.Of(db);
            return new(options.ConnectionString, options.Connection, options.IsConnectionOwned, db.Database.AutoSavepointsEnabled);
        }

        public async Task RestoreAsync(TContext db)
        {
            await db.Database.UseTransactionAsync(null).ConfigureAwait(false);
            db.Database.SetDbConnection(Connection, Owned); // null: the provider creates one from the string or its data source
            if (Connection is null && ConnectionString is not null) db.Database.SetConnectionString(ConnectionString);
            db.Database.AutoSavepointsEnabled = AutoSavepoints;
        }
    }

    /// <summary>Runs the handler, then saves what it tracked but did not save, so it commits with the inbox row (no round
    /// trip when there is nothing).</summary>
    private static async Task<HandlerOutcome> RunAndSaveAsync(TContext db, Func<CancellationToken, Task<HandlerOutcome>> next, CancellationToken cancellationToken)
    {
        var outcome = await next(cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>Undoes the run's part of the batch; when even that fails the batch's transaction is lost and the batch
    /// learns it.</summary>
    private async Task LeaveBatchAsync(TContext db, InboxTurn turn, string? savepoint, MessageContext context)
    {
        if (savepoint is null)
        {
            turn.Finish(kept: false); // failed before touching the shared transaction
            return;
        }
        try
        {
            var rollback = OutboxDialect.RollbackToSavepointSql(savepoint); // our own name: messaging_inbox_<position>
            await db.Database.ExecuteSqlRawAsync(rollback, CancellationToken.None).ConfigureAwait(false);
            turn.Finish(kept: false);
        }
#pragma warning disable CA1031 // the handler's exception is what the pipeline needs; the batch gets the rollback's
        catch (Exception ex)
#pragma warning restore CA1031
        {
            OutboxLog.RollbackFailed(logger, ex, context.Envelope.MessageId, context.HandlerName);
            turn.Break(new InvalidOperationException($"The inbox batch's transaction is lost: rolling back message {context.Envelope.MessageId} to its savepoint failed.", ex));
        }
    }

    /// <summary>Someone else owns the transaction: record and run inside it, leave commit and rollback to them.</summary>
    private async Task<HandlerOutcome> RunInCallersTransactionAsync(TContext db, MessageContext context, Func<CancellationToken, Task<HandlerOutcome>> next, CancellationToken cancellationToken)
    {
        if (!await TryRecordAsync(db, context, savepoint: null, cancellationToken).ConfigureAwait(false))
        {
            OutboxLog.DuplicateSkipped(logger, context.Envelope.MessageId, context.HandlerName);
            return HandlerOutcome.SkippedDuplicate;
        }
        return await RunAndSaveAsync(db, next, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the inbox row in the current transaction, after making <paramref name="savepoint"/> when one is
    /// given; false when (message id, handler) is already there.</summary>
    /// <remarks><c>received_at</c> and <c>processed_at</c> both get the time handling started: the row commits only
    /// with the handler's work, so a committed row means "processed"; a separate update at the end would cost a round
    /// trip per message. Where the dialect allows, the savepoint travels with the insert in one batch.</remarks>
    private async Task<bool> TryRecordAsync(TContext db, MessageContext context, string? savepoint, CancellationToken cancellationToken)
    {
        // ADO.NET on the context's connection and transaction: the statement runs per message, and EF Core's raw SQL path
        // (command building, parameter type mapping, diagnostics) cost more than the insert itself.
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var at = time.GetUtcNow().UtcDateTime;
        if (OutboxDialect.For(db).PositionalBatches)
        {
            // The savepoint and the insert in one round trip, as SQL the driver sends as it is (no parsing or rewriting).
            await using var batch = connection.CreateBatch();
            batch.Transaction = transaction;
            if (savepoint is not null) batch.BatchCommands.Add(BatchCommand(batch, OutboxDialect.SavepointSql(savepoint)));
            var insert = BatchCommand(batch, InsertSql(db));
            AddPositional(insert, context.Envelope.MessageId);
            AddPositional(insert, context.HandlerName);
            AddPositional(insert, at);
            batch.BatchCommands.Add(insert);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return insert.RecordsAffected == 1;
        }
        if (savepoint is not null)
        {
            var create = OutboxDialect.SavepointSql(savepoint); // our own name: messaging_inbox_<position>
            await db.Database.ExecuteSqlRawAsync(create, cancellationToken).ConfigureAwait(false);
        }
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = InsertSql(db);
        OutboxDialect.AddParameter(command, "@message_id", context.Envelope.MessageId);
        OutboxDialect.AddParameter(command, "@handler_name", context.HandlerName);
        OutboxDialect.AddParameter(command, "@at", at);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static void AddPositional(System.Data.Common.DbBatchCommand command, object value)
    {
        var parameter = command.CreateParameter();
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static System.Data.Common.DbBatchCommand BatchCommand(System.Data.Common.DbBatch batch, string sql)
    {
        var command = batch.CreateBatchCommand();
        command.CommandText = sql;
        return command;
    }

    /// <summary>The inbox insert with the model's table and column names and the dialect's parameters, built once per
    /// model (it read the model's metadata for every message).</summary>
    private static string InsertSql(TContext db)
    {
        if (InsertByModel.TryGetValue(db.Model, out var cached)) return cached;
        var sql = OutboxDialect.For(db).InboxInsertSql(OutboxTableNames.ForInbox(db));
        InsertByModel.AddOrUpdate(db.Model, sql);
        return sql;
    }


    private async Task TryRollbackAsync(IDbContextTransaction transaction, MessageContext context)
    {
        try
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the original exception matters more; disposing the transaction abandons it
        catch (Exception ex)
#pragma warning restore CA1031
        {
            OutboxLog.RollbackFailed(logger, ex, context.Envelope.MessageId, context.HandlerName);
        }
    }
}
