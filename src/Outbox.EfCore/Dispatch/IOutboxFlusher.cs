using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox.Dispatch;

/// <summary>Flush on commit for one DbContext type (<see cref="OutboxFlusher{TContext}"/>), found by the commit interceptor
/// from the committed context's type.</summary>
internal interface IOutboxFlusher
{
    /// <summary>The DbContext type whose rows this flusher publishes.</summary>
    Type ContextType { get; }

    /// <summary>Claims, publishes and records <paramref name="rows"/>, committed just now on <paramref name="db"/>; waits at
    /// most <see cref="OutboxOptions.FlushTimeoutMs"/>. Rows it does not take are left to the dispatcher, which it wakes.</summary>
    Task FlushAsync(DbContext db, IReadOnlyList<OutboxMessage> rows, CancellationToken cancellationToken);
}
