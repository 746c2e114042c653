using System.Net;
using System.Net.Sockets;

namespace CodeMentor.Testing;

public static class LocalPort
{
    /// <summary>A loopback port free at the moment of asking, for a server whose address must be known
    /// before it starts (settings that name it, a child process).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
