namespace OrderService;

/// <summary>What the report needs besides the database and the statistics.</summary>
/// <param name="Cost">What the measured orders (those after the warm-up) cost this process.</param>
public sealed record ReportContext(string Transport, string Database, string DataSource, int DuplicatesPublished, TimeSpan Elapsed, bool Finished, RunCost Cost);

/// <summary>The process's CPU time and allocations over the measured part of a run, per order.</summary>
/// <param name="WarmupOrders">Orders placed and applied before the measurement started.</param>
/// <param name="MeasuredOrders">Orders placed and applied while measuring.</param>
/// <param name="CpuMsPerOrder">CPU time of the whole process (every thread: writers, dispatcher, consumer, runtime), ms per order.</param>
/// <param name="AllocatedBytesPerOrder">Bytes allocated by the whole process, per order.</param>
public sealed record RunCost(int WarmupOrders, int MeasuredOrders, double CpuMsPerOrder, long AllocatedBytesPerOrder)
{
    /// <summary>Reads the process's CPU time (ms) and bytes allocated so far.</summary>
    public static (double CpuMs, long Allocated) Now() =>
        (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds, GC.GetTotalAllocatedBytes(precise: true));

    public static RunCost Between((double CpuMs, long Allocated) start, (double CpuMs, long Allocated) end, int warmup, int measured) =>
        new(warmup, measured, Math.Round((end.CpuMs - start.CpuMs) / Math.Max(1, measured), 3), (end.Allocated - start.Allocated) / Math.Max(1, measured));
}
