using Messaging.Testing;
using Messaging.Handling;

// Handlers found by HandlerScanningTests when it scans this assembly.
namespace Messaging.Tests.Scanned;

[HandlerName("audit-compliance")]
public sealed class AuditHandler : IMessageHandler<ComplianceMessage>
{
    public Task HandleAsync(ComplianceMessage message, MessageContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

public sealed class PlainHandler : IMessageHandler<ComplianceMessage>
{
    public Task HandleAsync(ComplianceMessage message, MessageContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

public sealed class UnnamedHandler : IMessageHandler<ComplianceMessage>
{
    public Task HandleAsync(ComplianceMessage message, MessageContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

public abstract class AbstractHandler : IMessageHandler<ComplianceMessage>
{
    public abstract Task HandleAsync(ComplianceMessage message, MessageContext context, CancellationToken cancellationToken);
}
