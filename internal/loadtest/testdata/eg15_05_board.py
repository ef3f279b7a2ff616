# EG15-05 Web message board
#
# THE BOOK'S ORIGINAL PROGRAM, kept for comparison. This is the chapter's
# Tiny Message Board as printed (see shared/seed/), written out with only
# Python's standard library. tinyboard's load benchmark
# (go run ./internal/loadtest/cmd/loadbench) runs it as the baseline that
# the Go board is measured against.
#
# Its flaws are the book's and are kept on purpose: messages go into the
# page unescaped, a POST answers 200 with the whole page (no redirect), one
# request is served at a time, and every answer closes its connection
# (HTTP/1.0). Do not fix them here: fix them in the Go program.
#
# The only additions to the book's code, both marked "Added":
#   - the port comes from the command line (default 8080, as in the book),
#     so the benchmark can run it on a free loopback port;
#   - it prints a ready line once it is listening.
#
#   python3 eg15_05_board.py [PORT]

import http.server
import urllib.parse
import sys  # Added: for the port on the command line

messages = []


class WebServerHandler(http.server.BaseHTTPRequestHandler):

    def make_page(self):
        all_messages = '<br>'.join(messages)
        page = '''<html>
<body>
<h1>Tiny Message Board</h1>
<h2>Messages</h2>
 {0} 
<h2>New Message</h2>
<form method="post">
    <textarea name="message"></textarea>
    <button id="save" type="submit">Save Message</button>
</form>
<form method="post">
    <button name="clear" type="submit">Clear Messages</button>
</form>
</body>
</html>'''
        return page.format(all_messages)

    def do_GET(self):
        '''
        This method is called when the server receives
        a GET request from the client
        It sends back the message board page
        '''
        self.send_response(200)
        self.send_header('Content-type', 'text/html')
        self.end_headers()
        message_text = self.make_page()
        message_bytes = message_text.encode()
        self.wfile.write(message_bytes)
        return

    def do_POST(self):
        '''
        This method is called when the server receives
        a POST request from the client
        It saves a message or clears the board, then
        sends back the message board page
        '''
        length = int(self.headers['Content-Length'])
        post_body_bytes = self.rfile.read(length)
        post_body_text = post_body_bytes.decode()
        query_strings = urllib.parse.parse_qs(post_body_text,
                                              keep_blank_values=True)
        if 'clear' in query_strings:
            messages.clear()
        elif 'message' in query_strings:
            message = query_strings['message'][0]
            messages.append(message)
        self.send_response(200)
        self.send_header('Content-type', 'text/html')
        self.end_headers()
        message_text = self.make_page()
        message_bytes = message_text.encode()
        self.wfile.write(message_bytes)
        return


host_socket = 8080
if len(sys.argv) > 1:                 # Added: the port from the command line
    host_socket = int(sys.argv[1])
host_ip = 'localhost'
host_address = (host_ip, host_socket)
my_server = http.server.HTTPServer(host_address, WebServerHandler)
# Added: say where it listens (the real port when asked for port 0).
print('Open your browser and connect to: http://{0}:{1}/index.html'.format(
    *my_server.server_address), flush=True)
my_server.serve_forever()
