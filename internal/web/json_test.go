package web_test

import (
	"cmp"
	"net/http"
	"strings"
	"testing"

	"tinyboard/internal/memstore"
	"tinyboard/internal/web"
)

// TestBoardJSONIsNotHTMLEscaped checks that &, < and > come back as the
// user wrote them, not as \u0026, \u003c and \u003e: the answers are
// application/json with nosniff, never read as HTML.
func TestBoardJSONIsNotHTMLEscaped(t *testing.T) {
	const text = `Tom & Jerry <3 "cheese" > mice`
	h := newBoard(t, web.BoardConfig{Store: memstore.New()})
	rec := postJSON(t, h, `{"message": "Tom & Jerry <3 \"cheese\" > mice"}`)
	wantStatus(t, rec, http.StatusCreated)
	for _, answer := range []string{rec.Body.String(), do(t, h, "GET", "/board", "", "Accept", jsonType).Body.String()} {
		if !strings.Contains(answer, `Tom & Jerry <3 \"cheese\" > mice`) || strings.Contains(answer, `\u00`) {
			t.Errorf("got %s, want the text as written: %s", answer, text)
		}
	}
	if page := getJSON(t, h, "/board"); len(page.Messages) != 1 || page.Messages[0].Text != text {
		t.Errorf("got %+v, want one message %q", page.Messages, text)
	}
}

// TestBoardJSONErrorsSpeakJSON checks that a JSON body without a message
// or clear field is answered in JSON terms, naming the field the board
// did not read, whatever format the answer is in.
func TestBoardJSONErrorsSpeakJSON(t *testing.T) {
	h := newBoard(t, web.BoardConfig{Store: memstore.New()})
	for _, tc := range []struct {
		name, body, unread string
	}{
		{"misspelt message", `{"msg": "x"}`, `"msg"`},
		{"clear false", `{"clear": false}`, ""},
		{"empty object", `{}`, ""},
	} {
		for _, accept := range []string{jsonType, ""} {
			t.Run(tc.name+", accept "+cmp.Or(accept, "anything"), func(t *testing.T) {
				rec := do(t, h, "POST", "/board", tc.body, "Content-Type", jsonType, "Accept", accept)
				msg := wantProblem(t, rec, accept, http.StatusBadRequest)
				for _, want := range []string{`{"message": "..."}`, `{"clear": true}`, tc.unread} {
					if !strings.Contains(msg, want) {
						t.Errorf("got %q, want it to say %s", msg, want)
					}
				}
				if strings.Contains(msg, "message=") || strings.Contains(msg, "clear=") {
					t.Errorf("got %q, want JSON terms, not form fields", msg)
				}
			})
		}
	}
}
