using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Messaging.Outbox.Tests.Infrastructure;

/// <summary>
/// <c>sqlite3_busy_handler</c>, which SQLitePCLRaw does not wrap, called in the e_sqlite3 library it loaded: a callback
/// for the moments a connection waits for a lock held by another one. Tests only: it shows that two sessions overlap.
/// </summary>
internal static class SqliteBusyHandler
{
    private const string Library = "e_sqlite3"; // the native library Microsoft.Data.Sqlite uses (SQLitePCLRaw.lib.e_sqlite3)

    /// <summary>Called with the number of earlier calls for the same lock; return nonzero to wait and try again.</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int Callback(IntPtr state, int count);

    /// <summary>Replaces the connection's busy timeout with <paramref name="handler"/>; keep the delegate alive while it is set.</summary>
    public static void Set(SqliteConnection connection, Callback handler) =>
        Check(sqlite3_busy_handler(connection.Handle!.DangerousGetHandle(), handler, IntPtr.Zero));

    /// <summary>Removes the handler and sets a busy timeout again.</summary>
    public static void Reset(SqliteConnection connection, TimeSpan timeout) =>
        Check(SQLitePCL.raw.sqlite3_busy_timeout(connection.Handle, (int)timeout.TotalMilliseconds));

    private static void Check(int result)
    {
        if (result != SQLitePCL.raw.SQLITE_OK) throw new InvalidOperationException($"sqlite3 busy handler: error {result}");
    }

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_busy_handler(IntPtr db, Callback? handler, IntPtr state);
}
