using System.Threading.Channels;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CodeMentor.Web.Accounts;

/// <summary>
/// Sends mail over SMTP with MailKit, one message at a time in the background. Queuing makes a
/// "forgot password" request take the same time whether or not the account exists (no probing by
/// timing), and a slow mail server never holds a page. A failed send is logged without its body
/// (which holds a reset token).
/// </summary>
public sealed class SmtpMailer(IOptions<EmailOptions> options, ILogger<SmtpMailer> logger) : BackgroundService
{
    private const int OutboxCapacity = 1000;

    private readonly Channel<MimeMessage> _outbox = Channel.CreateBounded<MimeMessage>(
        new BoundedChannelOptions(OutboxCapacity) { FullMode = BoundedChannelFullMode.Wait });

    public bool CanSend => options.Value.CanSend;

    /// <returns>False when mail is not configured or the outbox is full.</returns>
    public bool Enqueue(string to, string subject, string text)
    {
        var o = options.Value;
        if (!o.CanSend)
        {
            return false;
        }
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(o.From!));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = text };
        if (_outbox.Writer.TryWrite(message))
        {
            return true;
        }
        logger.LogError("Mail outbox full ({Capacity} waiting): \"{Subject}\" was not sent.", OutboxCapacity, subject);
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in _outbox.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await SendAsync(message, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                var domain = message.To.Mailboxes.FirstOrDefault()?.Domain;
                logger.LogError("Could not send \"{Subject}\" to an address at {Domain}: {Error}", message.Subject, domain, ex.Message);
            }
        }
    }

    private async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        var smtp = options.Value.Smtp;
        using var client = new SmtpClient { Timeout = 30_000 };
        var security = smtp.Security.ToLowerInvariant() switch
        {
            "starttls" => SecureSocketOptions.StartTls,
            "ssl" => SecureSocketOptions.SslOnConnect,
            "none" => SecureSocketOptions.None,
            _ => SecureSocketOptions.StartTlsWhenAvailable,
        };
        await client.ConnectAsync(smtp.Host!, smtp.Port, security, ct);
        if (!string.IsNullOrEmpty(smtp.Username))
        {
            await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", ct);
        }
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(quit: true, ct);
    }
}
