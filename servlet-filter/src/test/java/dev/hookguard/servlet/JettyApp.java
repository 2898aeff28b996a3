package dev.hookguard.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import java.net.URI;
import java.util.EnumSet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A real Jetty 12 (ee10) server on a loopback port. */
final class JettyApp implements AutoCloseable {

    private final Server server;
    private final ServerConnector connector;
    final ServletContextHandler context;

    private JettyApp(int maxThreads) {
        server = maxThreads > 0 ? new Server(new org.eclipse.jetty.util.thread.QueuedThreadPool(maxThreads)) : new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        context = new ServletContextHandler("/");
        server.setHandler(context);
    }

    static JettyApp create() {
        return new JettyApp(0);
    }

    /** With a small thread pool, as attack tests need to show that slow peers cannot take it. */
    static JettyApp withThreads(int maxThreads) {
        return new JettyApp(maxThreads);
    }

    JettyApp filter(Filter filter, String path) {
        context.addFilter(new FilterHolder(filter), path, EnumSet.of(DispatcherType.REQUEST));
        return this;
    }

    /** Mapped for the REQUEST and ASYNC dispatches, as a filter that reads bodies without blocking needs. */
    JettyApp asyncFilter(Filter filter, String path) {
        FilterHolder holder = new FilterHolder(filter);
        holder.setAsyncSupported(true);
        context.addFilter(holder, path, EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
        return this;
    }

    /** As a web.xml user mounts it: by class name and init-params alone. */
    JettyApp filterByClassName(String className, Map<String, String> initParams, String path) {
        FilterHolder holder = new FilterHolder();
        holder.setClassName(className);
        holder.setName("hookguard-" + path);
        initParams.forEach(holder::setInitParameter);
        context.addFilter(holder, path, EnumSet.of(DispatcherType.REQUEST));
        return this;
    }

    JettyApp servlet(HttpServlet servlet, String path) {
        context.addServlet(new ServletHolder(servlet), path);
        return this;
    }

    JettyApp asyncServlet(HttpServlet servlet, String path) {
        ServletHolder holder = new ServletHolder(servlet);
        holder.setAsyncSupported(true);
        context.addServlet(holder, path);
        return this;
    }

    /** On this port instead of any free one: a process restarted on it is reached at the same address. */
    JettyApp port(int port) {
        connector.setPort(port);
        return this;
    }

    JettyApp start() throws Exception {
        server.start();
        return this;
    }

    boolean isFailed() {
        return context.isFailed() || !context.isAvailable();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + path);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
