using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Messaging.Outbox.DeadLetters;

/// <summary>
/// Finds the row that holds a partition key at an endpoint (the first key-ordered Parked, Held or Releasing row of that
/// key, see <see cref="KeyedDeadLetters.Blocking"/>) for the key-order gate, for many messages at once: lookups that
/// arrive while one runs share the next query (at most <see cref="MaxBatch"/> keys), so a busy endpoint pays one round
/// trip per batch rather than one per message. Each answer reflects what was committed when its query ran, which is after
/// the message arrived: a key's previous message has been settled by then (transports handle a key's messages one after
/// another).
/// </summary>
internal sealed class KeyHeadLookups<TContext>(IServiceScopeFactory scopes) : IDisposable where TContext : DbContext
{
    /// <summary>Most keys looked up by one query (count).</summary>
    public const int MaxBatch = 200;

    private readonly Channel<Lookup> _lookups = Channel.CreateUnbounded<Lookup>(new UnboundedChannelOptions { SingleReader = true });
    private int _started;

    private sealed record Lookup(string Endpoint, string Key, TaskCompletionSource<DeadLetter?> Head);

    /// <summary>The row holding <paramref name="key"/> at <paramref name="endpoint"/>, not tracked; null when none does.</summary>
    /// <exception cref="Exception">The query failed (the database's own exception).</exception>
    public Task<DeadLetter?> HeadAsync(string endpoint, string key, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 0) _ = Task.Run(RunAsync, CancellationToken.None);
        var lookup = new Lookup(endpoint, key, new TaskCompletionSource<DeadLetter?>(TaskCreationOptions.RunContinuationsAsynchronously));
        ObjectDisposedException.ThrowIf(!_lookups.Writer.TryWrite(lookup), this);
        return lookup.Head.Task.WaitAsync(cancellationToken);
    }

    public void Dispose() => _lookups.Writer.TryComplete();

    private async Task RunAsync()
    {
        var batch = new List<Lookup>(MaxBatch);
        while (await _lookups.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _lookups.Reader.TryRead(out var lookup)) batch.Add(lookup);
            try
            {
                await AnswerAsync(batch).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                foreach (var lookup in batch) lookup.Head.TrySetException(ex);
            }
        }
    }

    private async Task AnswerAsync(List<Lookup> batch)
    {
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            foreach (var endpoint in batch.GroupBy(l => l.Endpoint, StringComparer.Ordinal))
            {
                var name = endpoint.Key;
                var keys = endpoint.Select(l => l.Key).Distinct(StringComparer.Ordinal).ToList();
                var firsts = await KeyedDeadLetters.Holding(db.Set<DeadLetter>().AsNoTracking())
                    .Where(d => d.Endpoint == name && keys.Contains(d.PartitionKey!))
                    .GroupBy(d => d.PartitionKey).Select(g => g.Min(d => d.Id)).ToListAsync(CancellationToken.None).ConfigureAwait(false);
                var heads = firsts.Count == 0 ? [] : await db.Set<DeadLetter>().AsNoTracking().Where(d => firsts.Contains(d.Id))
                    .ToListAsync(CancellationToken.None).ConfigureAwait(false);
                foreach (var lookup in endpoint)
                    lookup.Head.TrySetResult(heads.FirstOrDefault(h => string.Equals(h.PartitionKey, lookup.Key, StringComparison.Ordinal)));
            }
        }
    }
}
