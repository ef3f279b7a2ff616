package loadtest_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tinyboard/internal/loadtest"
	"tinyboard/internal/testenv"
)

// TestBookBoard checks that testdata/eg15_05_board.py behaves as the book
// describes EG15-05, flaws included: it is the baseline, so it must be the
// book's program and not a better one.
func TestBookBoard(t *testing.T) {
	python := testenv.LookPath(t, "python3", "the book's board (EG15-05) is a Python program")
	srv, err := loadtest.StartServer(context.Background(), "book", "Open your browser and connect to: ", "", python, "testdata/eg15_05_board.py", "0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			t.Error(err)
		}
	}()

	post := func(form url.Values) (int, string) {
		t.Helper()
		res, err := http.PostForm(srv.URL+"/index.html", form)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	code, page := post(url.Values{"message": {"first"}})
	if code != http.StatusOK || !strings.Contains(page, "<h1>Tiny Message Board</h1>") {
		t.Fatalf("POST message: got status %d and page\n%s\nwant 200 and the board page", code, page)
	}
	_, page = post(url.Values{"message": {"<b>second</b>"}})
	if want := " first<br><b>second</b> \n"; !strings.Contains(page, want) {
		t.Errorf("after two posts the page lacks %q (messages joined with <br>, not escaped); got\n%s", want, page)
	}

	res, err := http.Get(srv.URL + "/any/path")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Proto != "HTTP/1.0" || !strings.Contains(string(body), "first<br>") {
		t.Errorf("GET: got %s %d, want HTTP/1.0 200 with the board on any path", res.Proto, res.StatusCode)
	}

	if _, page = post(url.Values{"clear": {""}}); !strings.Contains(page, "<h2>Messages</h2>\n  \n") {
		t.Errorf("after clear= the page still shows messages; got\n%s", page)
	}
}
