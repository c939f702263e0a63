import ATPHTTP

extension APIResponder {
    /// atpd's problem+json for the requests the HTTP layer refuses itself, with the code
    /// `ProblemCode` gives the refusal's kind. Thread-safety: stateless; any loop thread.
    func renderProtocolError(_ error: HTTPParseError, into response: inout HTTPResponse) {
        response.setProblem(
            status: error.status, code: ProblemCode(error.kind).rawValue, detail: error.detail)
    }
}
