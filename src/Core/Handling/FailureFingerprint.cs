using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Messaging.Handling;

/// <summary>
/// Groups failures the way an operator thinks of them: the exception type plus the first stack frame of application
/// code (Wolverine groups its dead letters the same way). Frames of .NET, of this library and of the broker and
/// database clients are skipped; when none is left (a handler timeout, say) the handler's own method stands in.
/// </summary>
internal static class FailureFingerprint
{
    private static readonly string[] NotApplication =
    [
        "System", "Microsoft.", "mscorlib", "netstandard", "Messaging.Core", "Messaging.Transports.", "Messaging.Outbox.EfCore",
        "Npgsql", "RabbitMQ.Client", "Confluent.Kafka", "Polly",
    ];

    /// <summary>The failure site and fingerprint of an exception thrown by the handler <paramref name="handlerType"/>.</summary>
    public static (string Site, string Fingerprint) ForException(Exception exception, Type handlerType)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var site = ApplicationFrame(exception) ?? handlerType.FullName + ".HandleAsync";
        return (site, Hash(exception.GetType().FullName + "|" + site));
    }

    /// <summary>The fingerprint of a message refused before any handler ran: the kind of refusal and the message type.</summary>
    public static string ForRefusal(string kind, string messageType) => Hash(kind + "|" + messageType);

    private static string? ApplicationFrame(Exception exception)
    {
        foreach (var frame in new StackTrace(exception, fNeedFileInfo: false).GetFrames())
        {
            if (frame.GetMethod() is not { } method || method.DeclaringType is not { } type) continue;
            var assembly = type.Assembly.GetName().Name ?? "";
            if (NotApplication.Any(p => assembly.StartsWith(p, StringComparison.Ordinal))) continue;
            return Describe(type, method);
        }
        return null;
    }

    /// <summary><c>Namespace.Type.Method</c>; an async method's or lambda's compiler-generated type is named after the
    /// method the programmer wrote.</summary>
    private static string Describe(Type type, MethodBase method)
    {
        var name = method.Name;
        while (type.DeclaringType is { } outer && type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false))
        {
            if (type.Name.StartsWith('<') && type.Name.IndexOf('>', StringComparison.Ordinal) is > 1 and var end) name = type.Name[1..end];
            type = outer;
        }
        if (name.StartsWith('<') && name.IndexOf('>', StringComparison.Ordinal) is > 1 and var close) name = name[1..close];
        return (type.FullName ?? type.Name).Replace('+', '.') + "." + name;
    }

    private static string Hash(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
}
