using System.Diagnostics;
using Messaging.Eng.KafkaMock;
using Microsoft.EntityFrameworkCore;

namespace Messaging.FaultHarness;

/// <summary>
/// Runs the producer and the consumer as child processes, injects faults on a schedule, restarts what
/// was killed, waits until every work item is applied (or the timeout), then counts from the database.
/// </summary>
public sealed class Orchestrator(HarnessSettings settings, RunOptions options)
{
    private readonly Dictionary<string, string> _environment = [];

    /// <summary>On librdkafka's mock cluster, the most work items the producer may be ahead of the consumer (count).
    /// The mock keeps only about the last 5 MB of each partition (about 23,000 of these records) and deletes older
    /// ones like retention; unbounded, a consumer killed every few seconds fell that far behind and records were
    /// deleted unread (consumer event 3021). 10,000 stays under it even with the whole backlog on one partition.
    /// A real cluster keeps records for days; there the backlog is unbounded.</summary>
    private const int MockKafkaMaxBacklog = 10_000;

    /// <summary>After a fault ended, how long the run may take to apply messages again: a restarted process (about 5 s on
    /// the loaded machine), a Kafka consumer's rejoin (the dead member's 6 s session, then the mock's rejoin wait), the Kafka
    /// transport's recovery probe (at most 12 s), RabbitMQ's connection recovery (RecoveryIntervalMs 5 s) and consumer
    /// re-attach, with about twice that for a loaded 2-core machine. A run whose longest stall exceeds the longest fault plus
    /// this fails; the 136 s stall of commit 75d09f2 exceeds it with any fault of the short form.</summary>
    public static readonly TimeSpan RecoveryAllowance = TimeSpan.FromSeconds(45);

    private int _maxBacklog;
    private int _children;
    private TimeSpan? _firstSentAfterOutage;
    private (DateTime From, DateTime To)? _outageWindow;
    private TimeSpan _longestFault;

    public async Task<HarnessReport> RunAsync()
    {
        PrepareStateDir();
        await using (var db = HarnessReport.OpenDb(settings))
        {
            await db.Database.EnsureDeletedAsync();
            await db.Database.EnsureCreatedAsync();
            if (settings.Database == "sqlite") await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
        // Kafka without an external cluster: this process owns the mock, so it can inject broker faults.
        using var kafkaMock = settings.Transport == "kafka" && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MESSAGING_KAFKA"))
            ? MockCluster.Start(brokers: 3) : null;
        if (kafkaMock is not null) _environment["MESSAGING_KAFKA"] = kafkaMock.BootstrapServers;
        _maxBacklog = kafkaMock is not null ? MockKafkaMaxBacklog : 0;
        await using var rabbitContainers = options.RabbitMqContainer == "none" || settings.Transport != "rabbitmq" ? null : await Containers.RabbitMqContainers.StartAsync(options.RabbitMqContainer, _environment);
        var faults = new Faults(settings, kafkaMock, options.LongOutageSeconds, rabbitContainers, options.OnlyFaults);
        if (options.LongOutageSeconds > 0 && faults.LongOutage is null)
            throw new FaultPlanException($"a {options.LongOutageSeconds} s broker outage was asked for, but this run cannot take its broker away " +
                "(Kafka: MESSAGING_KAFKA names a cluster the harness does not own; RabbitMQ: MESSAGING_RABBITMQ without MESSAGING_RABBITMQ_NODE)");
        var plan = new FaultPlan(faults.Kinds, faults.LongOutage, options.Rounds);
        Console.WriteLine($"fault plan: {(plan.IsFixed ? "exactly" : "at least")} {string.Join(", ", plan.Planned.Select(p => $"{p.Key} x{p.Value}"))}" +
            (plan.IsFixed ? "" : ", then a fault every interval until everything is applied"));
        if (plan.IsFixed) WriteAllowance(plan.Done + 1, plan.Total);

        var clock = Stopwatch.StartNew();
        var consumer = Start("consume");
        var producer = Start("produce");
        var producerDone = false;
        var nextFault = TimeSpan.FromMilliseconds(options.FaultIntervalMs);
        var finished = false;
        var consuming = false;
        (TimeSpan At, int Applied)? lastFault = null;
        while (clock.Elapsed < options.Timeout)
        {
            if (producer.HasExited && !producerDone)
            {
                if (producer.ExitCode == 0) producerDone = true;
                else producer = Restart(producer, "produce");
            }
            if (consumer.HasExited) consumer = Restart(consumer, "consume");
            var applied = await HarnessReport.AppliedAsync(settings);
            if (producerDone && applied >= settings.Messages && (!plan.IsFixed || plan.Complete))
            {
                finished = true;
                break;
            }
            // Faults start once the consumer applies messages: a consumer process still starting has not declared its
            // queue, and what the producer publishes meanwhile is unroutable (refused, counted), not an outage.
            if (!consuming && (consuming = applied > 0)) nextFault = clock.Elapsed + TimeSpan.FromMilliseconds(options.FaultIntervalMs);
            // The next fault waits until the run recovered from the last one (or the recovery allowance is spent, which the
            // stall check then reports), so that one stall never spans two faults.
            var recovered = lastFault is not { } last || applied > last.Applied || applied >= await HarnessReport.WrittenAsync(settings)
                || clock.Elapsed >= last.At + RecoveryAllowance;
            if (consuming && recovered && clock.Elapsed >= nextFault && plan.Next(producerDone) is { } kind)
            {
                if (plan.IsFixed) WriteAllowance(plan.Done + 2, plan.Total); // messages to write during and after this fault
                Console.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0}s] fault: {kind}");
                var faultStarted = DateTime.Now;
                var faultClock = Stopwatch.StartNew();
                switch (kind)
                {
                    case "consumer-sigkill": consumer.Kill(); consumer = Restart(consumer, "consume"); break;
                    case "producer-sigkill": producer.Kill(); producer = Restart(producer, "produce"); break;
                    case "dispatcher-sigkill-after-publish": producer.Kill(); producer = Restart(producer, "produce", "--die-after-sends", "1"); break;
                    default: await faults.InjectAsync(kind); break;
                }
                if (faultClock.Elapsed > _longestFault) _longestFault = faultClock.Elapsed;
                if (kind == faults.LongOutage)
                {
                    _outageWindow = (faultStarted, DateTime.Now);
                    _firstSentAfterOutage = await FirstSentAsync();
                    Console.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0}s] broker back after {options.LongOutageSeconds} s; first row sent {_firstSentAfterOutage?.TotalSeconds:0.0} s later");
                    _outageWindow = (_outageWindow!.Value.From, DateTime.Now.AddSeconds(10)); // and the recovery's own lines
                }
                plan.Record(kind);
                lastFault = (clock.Elapsed, await HarnessReport.AppliedAsync(settings));
                nextFault = clock.Elapsed + TimeSpan.FromMilliseconds(options.FaultIntervalMs);
            }
            await Task.Delay(200);
        }
        await consumer.StopAsync(TimeSpan.FromSeconds(20));
        await producer.StopAsync(TimeSpan.FromSeconds(20));
        consumer.Dispose();
        producer.Dispose();
        var report = await HarnessReport.CountAsync(settings, plan.Injected, clock.Elapsed, finished, _firstSentAfterOutage);
        report = report with { PlannedFaults = plan.Planned, StallBoundMs = (long)(_longestFault + RecoveryAllowance).TotalMilliseconds };
        if (_outageWindow is { } window) report = report with { OutageLogLines = ChildLogs.CountEntries(settings.StateDir, window.From, window.To) };
        if (report.Lost > 0)
        {
            var kafka = _environment.GetValueOrDefault("MESSAGING_KAFKA") ?? Environment.GetEnvironmentVariable("MESSAGING_KAFKA");
            foreach (var line in await LostMessages.DescribeAsync(settings, kafka)) Console.WriteLine("  not applied: " + line);
        }
        return report;
    }

    /// <summary>A fixed plan holds the producer back: before fault k of n it may have written k/(n+1) of the messages, all of
    /// them once the last fault begins. So the run cannot end before every planned fault, however fast the machine, and
    /// every fault meets messages in flight.</summary>
    private void WriteAllowance(int share, int faults)
    {
        var allowance = (long)settings.Messages * Math.Min(share, faults + 1) / (faults + 1);
        var file = ProducerRole.AllowanceFile(settings.StateDir);
        File.WriteAllText(file + ".tmp", allowance.ToString(System.Globalization.CultureInfo.InvariantCulture));
        File.Move(file + ".tmp", file, overwrite: true);
    }

    /// <summary>Time from now until the outbox marks one more row Sent (at most 120 s; null if it never does).</summary>
    private async Task<TimeSpan?> FirstSentAsync()
    {
        var clock = Stopwatch.StartNew();
        var before = await HarnessReport.SentAsync(settings);
        while (clock.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (await HarnessReport.SentAsync(settings) > before) return clock.Elapsed;
            await Task.Delay(50);
        }
        return null;
    }

    private ChildProcess Restart(ChildProcess old, string role, params string[] extra)
    {
        old.Dispose();
        return Start(role, extra);
    }

    private ChildProcess Start(string role, params string[] extra)
    {
        var arguments = settings.ChildArguments(role).Concat(extra);
        if (role == "produce")
            arguments = arguments.Concat(["--rate", options.ProduceRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--max-backlog", _maxBacklog.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var log = Path.Combine(settings.StateDir, $"{role}-{++_children}.log");
        return ChildProcess.Start(role, arguments, _environment, log);
    }

    private void PrepareStateDir()
    {
        Directory.CreateDirectory(settings.StateDir);
        foreach (var file in Directory.GetFiles(settings.StateDir)) File.Delete(file);
    }
}
