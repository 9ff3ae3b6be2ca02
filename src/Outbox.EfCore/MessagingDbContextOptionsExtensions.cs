using Messaging.Outbox.Dialects;
using Microsoft.EntityFrameworkCore;

namespace Messaging.Outbox;

/// <summary>Set-up for a DbContext that reads or changes the messaging tables outside a messaging host.</summary>
public static class MessagingDbContextOptionsExtensions
{
    /// <summary>
    /// Prepares every connection the context opens the way the outbox prepares its own: on SQLite a busy timeout, so a
    /// statement waits for the application's write lock instead of failing with <c>SQLITE_BUSY</c>; nothing on PostgreSQL.
    /// For a context used by an operations job or tool (the <c>messaging</c> tool uses it); a context registered with
    /// <c>AddEntityFrameworkOutbox</c> has it already.
    /// </summary>
    /// <param name="options">The context's options, with its provider chosen.</param>
    /// <returns>The same options builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    public static DbContextOptionsBuilder UseMessagingConnections(this DbContextOptionsBuilder options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.AddInterceptors(new DialectConnectionInterceptor());
    }
}
