// Command localdev serves tinyboard on a laptop: the board and the tiny
// website on one port, with the same handlers the Lambda functions run,
// and messages kept in memory (or in DynamoDB with -store dynamodb).
//
//	go run ./localdev            # then open http://localhost:8080/board
//	go run ./localdev -v         # also print every request, as the book's socket server did
//	go run ./localdev -log json  # log requests as JSON lines instead of the book's form
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"tinyboard/internal/board"
	"tinyboard/internal/dynamostore"
	"tinyboard/internal/logbuf"
	"tinyboard/internal/memstore"
	"tinyboard/internal/web"
)

// logFlushEvery bounds how long a log line waits in memory: what a crash
// can lose.
var logFlushEvery = 100 * time.Millisecond

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "localdev:", err)
		os.Exit(1)
	}
}

// run starts the server and serves until ctx is done, then shuts down
// gracefully. Tests call it with their own arguments, environment and
// output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("localdev", flag.ContinueOnError)
	flags.SetOutput(stderr)
	addr := flags.String("addr", "localhost:8080", "listen address; on loopback, only requests for localhost, 127.0.0.1 or [::1] are answered")
	storeKind := flags.String("store", "memory", "where messages are kept: memory or dynamodb")
	verbose := flags.Bool("v", false, "print each request line and its headers")
	createTable := flags.Bool("create-table", false, "with -store dynamodb: create the table if it is missing")
	logFormat := flags.String("log", "text", "request log: text (a line per request, like the book's server) or json")
	flags.Usage = func() { usage(flags) }
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h asked for the help, which is printed: not a failure
		}
		return err
	}
	cfg, err := web.ConfigFromEnv(getenv)
	if err != nil {
		return err
	}
	retention, err := web.RetentionFromEnv(getenv)
	if err != nil {
		return err
	}
	// The log is buffered so that a request costs no write to the
	// terminal; a line shows within logFlushEvery, and Close writes out
	// the rest when the server stops.
	logs := logbuf.New(stderr, logFlushEvery)
	defer logs.Close()
	var logger *slog.Logger
	switch *logFormat {
	case "text":
		logger = slog.New(web.NewLogHandler(logs))
	case "json":
		logger = slog.New(slog.NewJSONHandler(logs, nil))
	default:
		return fmt.Errorf("unknown -log %q: use text or json", *logFormat)
	}
	cfg.Logger = logger

	stopPurger := func() {}
	defer func() { stopPurger() }()
	switch *storeKind {
	case "memory":
		cfg.Store = memstore.NewWithOptions(memstore.Options{Retention: retention})
	case "dynamodb":
		store, err := openDynamo(ctx, getenv, *createTable, retention)
		if err != nil {
			return err
		}
		cfg.Store = store
		// Cleared messages are reclaimed in the background, never while a
		// request waits; shutdown waits for a purge in progress.
		purger := store.StartPurger(logger, purgeTimeout)
		stopPurger = func() {
			ctx, cancel := context.WithTimeout(context.Background(), purgeShutdownGrace)
			defer cancel()
			if err := purger.Stop(ctx); err != nil {
				logger.Warn("purge cut short by shutdown; the next clear's purge finishes it", "err", err)
			}
		}
	default:
		return fmt.Errorf("unknown -store %q: use memory or dynamodb", *storeKind)
	}

	boardHandler, err := web.NewBoard(cfg)
	if err != nil {
		return err
	}
	pagesHandler, err := web.NewPages(logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	handler := web.NewSite(boardHandler, pagesHandler)
	if checksHosts(ln.Addr()) {
		handler = web.LoopbackHostsOnly(handler)
	}
	handler = web.LogClientRequests(logger)(handler)
	if *verbose {
		handler = web.PrintRequests(stdout)(handler)
	}
	srv := web.NewServer(handler, slog.NewLogLogger(logger.Handler(), slog.LevelWarn))
	fmt.Fprintf(stdout, "Open your browser and connect to: http://%s/board\n", displayAddr(ln.Addr()))
	if err := web.Serve(ctx, srv, ln); err != nil {
		return err
	}
	stopPurger()
	if err := logs.Close(); err != nil {
		return fmt.Errorf("request log: %w", err)
	}
	fmt.Fprintln(stdout, "Stopped.")
	return nil
}

// purgeTimeout bounds one purge after a clear; purgeShutdownGrace is how
// long shutdown waits for a purge in progress before cutting it short.
const (
	purgeTimeout       = time.Minute
	purgeShutdownGrace = 10 * time.Second
)

// environment is every variable localdev reads, for -h: name, default
// ("" when unset means off), meaning. A test holds it to the variables run
// reads and to the README's table.
var environment = []struct{ name, def, meaning string }{
	{"BOARD_TABLE", "tinyboard", "with -store dynamodb: the table's name"},
	{"DYNAMODB_ENDPOINT", "", "with -store dynamodb: a DynamoDB-compatible server such as http://127.0.0.1:8000; unset, the DynamoDB of your AWS account"},
	{"CLEAR_TOKEN", "", "when set, clearing the board needs this token; the Clear form then asks for it"},
	{"PAGE_SIZE", "50", "messages per page"},
	{"MESSAGE_MAX_CHARS", "1000", "longest message, in characters"},
	{"MESSAGE_RETENTION_DAYS", "0", "days a message is kept after it was posted; 0 keeps it until the board is cleared"},
}

// usage prints what -h shows: the flags with their defaults, then the
// environment variables.
func usage(flags *flag.FlagSet) {
	out := flags.Output()
	fmt.Fprintf(out, "Usage: %s [flags]\n\n", flags.Name())
	fmt.Fprintf(out, "localdev serves tinyboard on this machine until Ctrl-C: the board at /board\nand the tiny website, with messages in memory (or in DynamoDB).\n\nFlags:\n")
	flags.PrintDefaults()
	fmt.Fprintf(out, "\nEnvironment variables:\n")
	for _, v := range environment {
		fmt.Fprintf(out, "  %s\n    \t%s", v.name, v.meaning)
		if v.def != "" {
			fmt.Fprintf(out, " (default %s)", v.def)
		}
		fmt.Fprintln(out)
	}
}

// openDynamo opens the DynamoDB table named by BOARD_TABLE (default
// "tinyboard") on DYNAMODB_ENDPOINT (default: AWS), creating it first
// when asked to, else checking it is there, so that a wrong table or
// endpoint stops localdev at once with what to do about it, rather than
// failing every request.
func openDynamo(ctx context.Context, getenv func(string) string, create bool, retention time.Duration) (*dynamostore.Store, error) {
	table := getenv("BOARD_TABLE")
	if table == "" {
		table = "tinyboard"
	}
	store, err := newDynamoStore(ctx, dynamostore.Config{Table: table, Endpoint: getenv("DYNAMODB_ENDPOINT"), Retention: retention})
	if err != nil {
		return nil, err
	}
	if create {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := store.CreateTable(ctx); err != nil {
			return nil, fmt.Errorf("create table %s: %w", table, err)
		}
		return store, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	switch err := store.CheckTable(ctx); {
	case errors.Is(err, dynamostore.ErrNoTable):
		return nil, fmt.Errorf("%w: start localdev with -create-table, or set BOARD_TABLE", err)
	case errors.Is(err, board.ErrUnavailable):
		return nil, fmt.Errorf("%w\nIs DynamoDB running there? Start dynalite with make dynamodb-local, or set DYNAMODB_ENDPOINT", err)
	case err != nil:
		return nil, fmt.Errorf("%w\nCheck BOARD_TABLE, DYNAMODB_ENDPOINT and your AWS credentials", err)
	}
	return store, nil
}

// checksHosts reports whether a server listening on a refuses requests
// for names other than loopback: when it listens on loopback, only this
// machine can connect, but a page on another site can still reach it
// through the browser, under its own name (DNS rebinding). Listening on
// every interface (-addr 0.0.0.0:8080) serves every name, as asked.
func checksHosts(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// displayAddr turns the listener's address into one a browser can open:
// "localhost:8080" rather than "127.0.0.1:8080" or "[::]:8080".
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || tcp.IP.IsLoopback() || tcp.IP.IsUnspecified() {
		if ok {
			return net.JoinHostPort("localhost", strconv.Itoa(tcp.Port))
		}
	}
	return a.String()
}
