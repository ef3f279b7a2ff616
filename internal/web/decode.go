package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"tinyboard/internal/board"
)

// submission is a POST to /board, whichever of the three body formats it
// came in.
type submission struct {
	message    string
	hasMessage bool
	clear      bool
	id         string // the form's one-time id, if it sent one
	token      string // the clear token, if it sent one
}

// jsonSubmission is the JSON body of a POST: {"message": "..."} or
// {"clear": true}, with optional "id" and "token".
type jsonSubmission struct {
	Message *string `json:"message"`
	Clear   bool    `json:"clear"`
	ID      string  `json:"id"`
	Token   string  `json:"token"`
}

const acceptedTypes = "Send the message as application/x-www-form-urlencoded (curl -d message=...), multipart/form-data, or application/json."

// decodeSubmission reads the body of a POST through limit (BodyLimit)
// and decodes it by its Content-Type. Its errors say what to fix.
func decodeSubmission(w http.ResponseWriter, r *http.Request, limit int64) (submission, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return submission{}, reject(errUnsupportedType, "The request has no Content-Type. "+acceptedTypes)
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return submission{}, reject(errUnsupportedType, "The Content-Type header could not be read. "+acceptedTypes)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return submission{}, reject(errUnsupportedType, "The body is declared as "+cs+"; send it as UTF-8.")
	}
	for _, ce := range r.Header.Values("Content-Encoding") {
		if !strings.EqualFold(strings.TrimSpace(ce), "identity") {
			return submission{}, reject(errUnsupportedType, "The board reads only uncompressed bodies; send the body without a Content-Encoding.")
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	switch mediaType {
	case "application/x-www-form-urlencoded":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return submission{}, bodyError(err)
		}
		values, err := url.ParseQuery(string(body))
		if err != nil {
			return submission{}, board.Invalid("The form data could not be read: check its percent-encoding (curl --data-urlencode does it for you), separate fields with & rather than ;, and send fewer fields.")
		}
		return fromValues(values), nil
	case "multipart/form-data":
		if err := r.ParseMultipartForm(limit); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return submission{}, err
			}
			return submission{}, board.Invalid("The multipart form could not be read; send it as a browser or curl -F would.")
		}
		return fromValues(url.Values(r.MultipartForm.Value)), nil
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return submission{}, bodyError(err)
		}
		if !utf8.Valid(body) {
			return submission{}, board.Invalid("The JSON body is not valid UTF-8; send it encoded as UTF-8.")
		}
		if loneSurrogate(body) {
			// encoding/json would quietly turn it into U+FFFD.
			return submission{}, board.Invalid(`The JSON body has a \u escape of half a UTF-16 surrogate pair, which is not a character; send the text as UTF-8, or each character outside the BMP as a full pair such as \ud83d\ude42.`)
		}
		var js jsonSubmission
		if err := json.Unmarshal(body, &js); err != nil {
			return submission{}, board.Invalid(`The JSON body could not be read; send an object such as {"message": "hello"} or {"clear": true}.`)
		}
		s := submission{clear: js.Clear, id: js.ID, token: js.Token}
		if js.Message != nil {
			s.message, s.hasMessage = *js.Message, true
		}
		if !s.hasMessage && !s.clear {
			return submission{}, board.Invalid(`The JSON object has no "message" and no "clear": true%s; send {"message": "..."} to post, or {"clear": true} to clear the board.`, otherFields(body))
		}
		return s, nil
	}
	return submission{}, reject(errUnsupportedType, "The board does not read "+mediaType+" bodies. "+acceptedTypes)
}

// loneSurrogate reports whether a JSON text holds, in a string, a \u
// escape of a UTF-16 surrogate that is not half of a high-low pair.
func loneSurrogate(body []byte) bool {
	inString := false
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(body):
			i++
			if body[i] != 'u' {
				continue
			}
			u, ok := hex4(body[i+1:])
			switch {
			case !ok:
				continue // malformed: json.Unmarshal says so
			case 0xDC00 <= u && u <= 0xDFFF:
				return true // a low half with no high half before it
			case 0xD800 <= u && u <= 0xDBFF:
				next := body[i+5:]
				if len(next) < 6 || next[0] != '\\' || next[1] != 'u' {
					return true
				}
				if low, ok := hex4(next[2:]); !ok || low < 0xDC00 || low > 0xDFFF {
					return true
				}
				i += 10 // the pair
			default:
				i += 4
			}
		}
	}
	return false
}

// hex4 reads the four hex digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var u rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			u = u<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			u = u<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			u = u<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return u, true
}

// otherFields names, for an error message, the fields of a JSON object
// that the board does not read, such as a misspelt "msg".
func otherFields(body []byte) string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return ""
	}
	var names []string
	for name := range fields {
		switch name {
		case "message", "clear", "id", "token":
		default:
			names = append(names, strconv.Quote(name))
		}
	}
	if len(names) == 0 {
		return ""
	}
	slices.Sort(names)
	if len(names) > 3 {
		names = append(names[:3], "…")
	}
	return " (it has " + strings.Join(names, ", ") + ", which the board does not read)"
}

// bodyError is what a failure to read a request body means to the
// client. Past the limit it stays a *http.MaxBytesError (413); anything
// else, a body cut short or one sent too slowly for the server's
// ReadTimeout, is the client's to fix (400), not an internal error.
func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return err
	}
	return board.Invalid("The request body ended before all of it arrived; send the whole body again.")
}

// fromValues reads a form: as in the book, a "clear" field (even empty)
// clears, otherwise "message" is saved.
func fromValues(v url.Values) submission {
	_, clear := v["clear"]
	_, hasMessage := v["message"]
	return submission{
		message:    v.Get("message"),
		hasMessage: hasMessage,
		clear:      clear,
		id:         v.Get("id"),
		token:      v.Get("token"),
	}
}
