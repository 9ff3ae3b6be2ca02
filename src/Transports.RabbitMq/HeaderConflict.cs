namespace Messaging.RabbitMq;

/// <summary>An envelope field that arrived both as our header and as the AMQP basic property, with different
/// values. The header was used (docs/wire-format.md, "Header or property"); the consumer logs the pair.</summary>
/// <param name="Header">The header's name, for example <c>message-id</c>.</param>
/// <param name="HeaderValue">The header's value: the one the envelope holds.</param>
/// <param name="Property">The AMQP property's name, for example <c>message_id</c>.</param>
/// <param name="PropertyValue">The property's value, not used.</param>
internal sealed record HeaderConflict(string Header, string HeaderValue, string Property, string PropertyValue);
