namespace OrderService;

/// <summary>The command line, after parsing.</summary>
/// <param name="Warmup">Orders placed and applied before the measured part (JIT and tiering settle); null for the default.</param>
/// <param name="Dashboard">Serve Messaging.Dashboard at this loopback address and keep running after the report; null: none.</param>
public sealed record RunSettings(int Orders, string? Transport, string? Database, FileInfo? ReportJson, TimeSpan Timeout, bool Otel = false, int? Warmup = null,
    Uri? Dashboard = null)
{
    /// <summary>The warm-up orders: as asked, else a fifth of the orders up to 2,000 (none for fewer than 500 orders).</summary>
    public int WarmupOrders => Math.Clamp(Warmup ?? (Orders < 500 ? 0 : Math.Min(2_000, Orders / 5)), 0, Orders - 1);
}
