/// The OpenAPI 3.1 description of the v1 API, served at `GET /openapi.json`.
///
/// Pretty-printed JSON (2-space indent). Where API.md is silent, the decisions are written in
/// the descriptions. Thread-safety: an immutable constant.
enum OpenAPIDocument {
    static let json: String = #"""
        {
          "openapi": "3.1.0",
          "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
          "info": {
            "title": "atpd",
            "version": "1.0.0",
            "summary": "Inventory availability (available-to-promise) server, HTTP API v1.",
            "description": "Inventory availability server: available-to-promise reads, reservations, stock events from warehouses and tills, and availability pushes to sales channels.\n\n**Conventions.** JSON bodies, UTF-8, `Content-Type: application/json` (parameters such as `charset=utf-8` allowed; a body without `Content-Type` is accepted; any other type is a 415 `unsupported_media_type`). Times are RFC 3339 UTC. Quantities are integers; any quantity above 1,000,000,000 in magnitude is rejected. `sku`, `location` and channel names are 1-128 bytes of UTF-8 without control characters, percent-encoded in paths. Query strings are `application/x-www-form-urlencoded`; unknown query parameters and unknown body members are ignored. HTTP/1.1 with keep-alive and pipelining; bodies by `Content-Length` or chunked. A POST without a body is a POST with an empty body (411 is never answered). Framing is strict (RFC 9112): every line ends in CR LF (a bare LF or CR is a 400); Content-Length with Transfer-Encoding, differing Content-Lengths, Transfer-Encoding in HTTP/1.0, or a final coding other than `chunked` is a 400, an unknown coding before `chunked` a 501; the connection is then closed.\n\n**Request ids.** Every response carries `X-Request-Id`: the request's own when it was 1-128 bytes of printable ASCII, else a generated one.\n\n**Auth.** `Authorization: Bearer <token>`; tokens and their scopes (`read`, `reserve`, `ingest`, `admin`) come from the `--api-keys` file. Missing or unknown token: 401 `unauthorized` with `WWW-Authenticate: Bearer`; a token without the scope: 403 `forbidden`. Each operation names its scope in its description and in `x-scope`. Without `--api-keys` the server runs open (every scope granted) and listens on loopback only. `/healthz`, `/readyz`, `/metrics` and `/openapi.json` need no token.\n\n**Errors** are RFC 9457 problem details (`application/problem+json`, see `Problem`) with a stable `code`: 400 `invalid_json`, `invalid_request`, `quantity_out_of_range`, `duplicate_line`; 401 `unauthorized`; 403 `forbidden`; 404 `not_found` (no such route), `unknown_sku`, `unknown_reservation`, `unknown_channel`; 405 `method_not_allowed` (with `Allow`); 408 `request_timeout`; 409 `insufficient_stock`, `invalid_state`, `idempotency_in_progress`; 413 `payload_too_large`; 415 `unsupported_media_type`; 422 `idempotency_key_reuse`; 431 `headers_too_large`; 501 `not_implemented`; 503 `not_ready` (state still being recovered, on every /v1 route), `store_unavailable` (a change could not be made durable and was rolled back: nothing changed, retry it; reads still work), `capacity_exhausted`.\n\n**Answers any request may get** (not repeated under each operation): 404 `not_found` when no route matches; 405 `method_not_allowed` when the path exists without that method; 408 `request_timeout` when the request line and headers do not arrive in time (the connection is then closed); 431 `headers_too_large` when the request line and headers exceed 16 KiB. Body limits: 8 MiB on `POST /v1/events`, 1 MiB elsewhere (configurable); over the limit, 413 `payload_too_large`.\n"
          },
          "tags": [
            {
              "name": "availability",
              "description": "Availability reads: the hot path."
            },
            {
              "name": "stock",
              "description": "Per-cell stock figures and safety stock."
            },
            {
              "name": "reservations",
              "description": "Holds at checkout and their life cycle."
            },
            {
              "name": "events",
              "description": "Stock events from warehouses and tills."
            },
            {
              "name": "channels",
              "description": "Sales channels and the availability pushed to them."
            },
            {
              "name": "operations",
              "description": "Health, readiness, metrics and this document."
            }
          ],
          "security": [
            {
              "bearer": []
            }
          ],
          "paths": {
            "/healthz": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/XRequestId"
                }
              ],
              "get": {
                "operationId": "getHealth",
                "summary": "Liveness",
                "tags": [
                  "operations"
                ],
                "description": "No token needed (scope: none). Answers 200 while the process runs.",
                "security": [],
                "responses": {
                  "200": {
                    "description": "The process is running.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "status"
                          ],
                          "properties": {
                            "status": {
                              "type": "string",
                              "const": "ok"
                            }
                          }
                        }
                      }
                    }
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              }
            },
            "/readyz": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/XRequestId"
                }
              ],
              "get": {
                "operationId": "getReadiness",
                "summary": "Readiness",
                "tags": [
                  "operations"
                ],
                "description": "No token needed (scope: none). Answers 200 once state is recovered and the store is reachable, else 503 `not_ready`.",
                "security": [],
                "responses": {
                  "200": {
                    "description": "Ready to serve.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": [
                            "status"
                          ],
                          "properties": {
                            "status": {
                              "type": "string",
                              "const": "ready"
                            }
                          }
                        }
                      }
                    }
                  },
                  "503": {
                    "$ref": "#/components/responses/NotReady"
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              }
            },
            "/metrics": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/XRequestId"
                }
              ],
              "get": {
                "operationId": "getMetrics",
                "summary": "Prometheus metrics",
                "tags": [
                  "operations"
                ],
                "description": "No token needed (scope: none). Prometheus text exposition format 0.0.4.",
                "security": [],
                "responses": {
                  "200": {
                    "description": "The metrics.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "text/plain; version=0.0.4": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              }
            },
            "/openapi.json": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/XRequestId"
                }
              ],
              "get": {
                "operationId": "getOpenAPI",
                "summary": "This document",
                "tags": [
                  "operations"
                ],
                "description": "No token needed (scope: none). The OpenAPI 3.1 description of this API.",
                "security": [],
                "responses": {
                  "200": {
                    "description": "This document.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object"
                        }
                      }
                    }
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              }
            },
            "/v1/availability": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/XRequestId"
                }
              ],
              "get": {
                "operationId": "getAvailability",
                "summary": "Availability of up to 100 skus",
                "tags": [
                  "availability"
                ],
                "description": "Scope: `read`. The hot path. Network-wide availability of each `sku`, or at one `location`, or for one `channel` (giving both is a 400 `invalid_request`). Unknown skus and locations have `available` 0; an unknown channel is a 404 `unknown_channel`. Items come in request order, one per `sku` parameter (duplicates included). Query strings are decoded as `application/x-www-form-urlencoded` (`+` is a space); unknown parameters are ignored.",
                "x-scope": "read",
                "parameters": [
                  {
                    "name": "sku",
                    "in": "query",
                    "required": true,
                    "style": "form",
                    "explode": true,
                    "description": "A sku; repeat the parameter 1 to 100 times.",
                    "schema": {
                      "type": "array",
                      "minItems": 1,
                      "maxItems": 100,
                      "items": {
                        "$ref": "#/components/schemas/Key"
                      }
                    }
                  },
                  {
                    "name": "location",
                    "in": "query",
                    "required": false,
                    "description": "Availability at this location only; each item then has `location`.",
                    "schema": {
                      "$ref": "#/components/schemas/Key"
                    }
                  },
                  {
                    "name": "channel",
                    "in": "query",
                    "required": false,
                    "description": "Availability for this channel; the response then has `channel`.",
                    "schema": {
                      "$ref": "#/components/schemas/Key"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "Availability per sku.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/AvailabilityResponse"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/InvalidRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/UnknownChannel"
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              },
              "post": {
                "operationId": "postAvailability",
                "summary": "Availability of up to 1,000 skus",
                "tags": [
                  "availability"
                ],
                "description": "Scope: `read`. Like `GET /v1/availability` for up to 1,000 skus given in the body; the same answer shape.",
                "x-scope": "read",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/AvailabilityRequest"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Availability per sku.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/AvailabilityResponse"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/InvalidBody"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/UnknownChannel"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              }
            },
            "/v1/stock/{sku}": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/XRequestId"
                },
                {
                  "$ref": "#/components/parameters/Sku"
                }
              ],
              "get": {
                "operationId": "getStock",
                "summary": "Stock detail of a sku",
                "tags": [
                  "stock"
                ],
                "description": "Scope: `read`. The sku's network-wide availability and every one of its cells. 404 `unknown_sku` if the sku has never been seen.",
                "x-scope": "read",
                "responses": {
                  "200": {
                    "description": "The sku's stock.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/StockDetail"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/InvalidRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/UnknownSku"
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              }
            },
            "/v1/stock/{sku}/{location}/safety-stock": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/XRequestId"
                },
                {
                  "$ref": "#/components/parameters/Sku"
                },
                {
                  "$ref": "#/components/parameters/Location"
                }
              ],
              "put": {
                "operationId": "putSafetyStock",
                "summary": "Set a cell's safety stock",
                "tags": [
                  "stock"
                ],
                "description": "Scope: `admin`. Sets the safety stock of (sku, location), creating the cell if it does not exist, and answers the cell.",
                "x-scope": "admin",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/SafetyStockRequest"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "The cell after the change.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/StockCell"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/InvalidQuantityBody"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "503": {
                    "$ref": "#/components/responses/CapacityExhausted"
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              }
            },
            "/v1/reservations": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/XRequestId"
                }
              ],
              "post": {
                "operationId": "createReservation",
                "summary": "Hold stock",
                "tags": [
                  "reservations"
                ],
                "description": "Scope: `reserve`. Holds every line or none. With `Idempotency-Key`, a retry with the same key and body answers the first request's stored status and body again (a 201, a 400 or a 409 `insufficient_stock` alike) with `Idempotent-Replayed: true`; a 503 is not stored, so a retry after one is processed anew.",
                "x-scope": "reserve",
                "parameters": [
                  {
                    "$ref": "#/components/parameters/IdempotencyKey"
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/ReservationRequest"
                      }
                    }
                  }
                },
                "responses": {
                  "201": {
                    "description": "Held.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      },
                      "Idempotent-Replayed": {
                        "$ref": "#/components/headers/IdempotentReplayed"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Reservation"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/InvalidReservation"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "409": {
                    "$ref": "#/components/responses/ReservationConflict"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "422": {
                    "$ref": "#/components/responses/IdempotencyKeyReuse"
                  },
                  "503": {
                    "$ref": "#/components/responses/CapacityExhausted"
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              }
            },
            "/v1/reservations/{id}": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/XRequestId"
                },
                {
                  "$ref": "#/components/parameters/ReservationId"
                }
              ],
              "get": {
                "operationId": "getReservation",
                "summary": "Read a reservation",
                "tags": [
                  "reservations"
                ],
                "description": "Scope: `read`. Fulfilled, released and expired reservations stay readable for a configured retention (24 hours by default), then answer 404.",
                "x-scope": "read",
                "responses": {
                  "200": {
                    "description": "The reservation.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Reservation"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/UnknownReservation"
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              }
            },
            "/v1/reservations/{id}/confirm": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/XRequestId"
                },
                {
                  "$ref": "#/components/parameters/ReservationId"
                }
              ],
              "post": {
                "operationId": "confirmReservation",
                "summary": "Confirm a reservation",
                "tags": [
                  "reservations"
                ],
                "description": "Scope: `reserve`. held -> confirmed (order placed; it no longer expires). Repeating a transition the reservation has already made answers 200 again. A held reservation whose `expiresAt` has passed is `expired`. Send no body (an empty body; 411 is never answered). A body, if sent anyway, is ignored, but it still counts against the 1 MiB limit and must not have a `Content-Type` other than `application/json`.",
                "x-scope": "reserve",
                "responses": {
                  "200": {
                    "description": "The reservation after the transition.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Reservation"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/UnknownReservation"
                  },
                  "409": {
                    "$ref": "#/components/responses/InvalidState"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              }
            },
            "/v1/reservations/{id}/fulfill": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/XRequestId"
                },
                {
                  "$ref": "#/components/parameters/ReservationId"
                }
              ],
              "post": {
                "operationId": "fulfillReservation",
                "summary": "Fulfill a reservation",
                "tags": [
                  "reservations"
                ],
                "description": "Scope: `reserve`. held or confirmed -> fulfilled (shipped: each line's `onHand` and `reserved` both drop by `qty`, atomically). Repeating a transition the reservation has already made answers 200 again. A held reservation whose `expiresAt` has passed is `expired`. Send no body (an empty body; 411 is never answered). A body, if sent anyway, is ignored, but it still counts against the 1 MiB limit and must not have a `Content-Type` other than `application/json`.",
                "x-scope": "reserve",
                "responses": {
                  "200": {
                    "description": "The reservation after the transition.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Reservation"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/UnknownReservation"
                  },
                  "409": {
                    "$ref": "#/components/responses/InvalidState"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              }
            },
            "/v1/reservations/{id}/release": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/XRequestId"
                },
                {
                  "$ref": "#/components/parameters/ReservationId"
                }
              ],
              "post": {
                "operationId": "releaseReservation",
                "summary": "Release a reservation",
                "tags": [
                  "reservations"
                ],
                "description": "Scope: `reserve`. held or confirmed -> released (the units return to `available`). Repeating a transition the reservation has already made answers 200 again. A held reservation whose `expiresAt` has passed is `expired`. Send no body (an empty body; 411 is never answered). A body, if sent anyway, is ignored, but it still counts against the 1 MiB limit and must not have a `Content-Type` other than `application/json`.",
                "x-scope": "reserve",
                "responses": {
                  "200": {
                    "description": "The reservation after the transition.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Reservation"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/UnknownReservation"
                  },
                  "409": {
                    "$ref": "#/components/responses/InvalidState"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              }
            },
            "/v1/events": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/XRequestId"
                }
              ],
              "post": {
                "operationId": "postEvents",
                "summary": "Ingest stock events",
                "tags": [
                  "events"
                ],
                "description": "Scope: `ingest`. Applies up to 5,000 events in array order; each is applied, a duplicate, stale, or rejected on its own, and the others still apply. An empty `events` array is accepted and applies nothing. A 503 `store_unavailable` applies none of the batch: send the same events again (same ids) and each applies once. A body that is not JSON is a 400 `invalid_json`, one without an `events` array (or with more than 5,000) a 400 `invalid_request`; then nothing is applied. Body limit 8 MiB.",
                "x-scope": "ingest",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/EventsRequest"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "What happened to each event.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/EventsResponse"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/InvalidBody"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              }
            },
            "/v1/channels": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/XRequestId"
                }
              ],
              "get": {
                "operationId": "listChannels",
                "summary": "List channels",
                "tags": [
                  "channels"
                ],
                "description": "Scope: `read`. Every channel with its status, sorted by name.",
                "x-scope": "read",
                "responses": {
                  "200": {
                    "description": "The channels.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/ChannelList"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              }
            },
            "/v1/channels/{name}": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/XRequestId"
                },
                {
                  "$ref": "#/components/parameters/ChannelName"
                }
              ],
              "get": {
                "operationId": "getChannel",
                "summary": "Read a channel",
                "tags": [
                  "channels"
                ],
                "description": "Scope: `read`. The channel's configuration (without the secret) and delivery status.",
                "x-scope": "read",
                "responses": {
                  "200": {
                    "description": "The channel.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Channel"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/InvalidRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/UnknownChannel"
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              },
              "put": {
                "operationId": "putChannel",
                "summary": "Create or replace a channel",
                "tags": [
                  "channels"
                ],
                "description": "Scope: `admin`. Creates the channel (201) or replaces its whole configuration (200); omitted members take their defaults. There may be at most 1,000 channels: creating one more is a 503 `capacity_exhausted` until one is deleted.",
                "x-scope": "admin",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/ChannelConfig"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Replaced.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Channel"
                        }
                      }
                    }
                  },
                  "201": {
                    "description": "Created.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Channel"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/InvalidQuantityBody"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "503": {
                    "$ref": "#/components/responses/CapacityExhausted"
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              },
              "delete": {
                "operationId": "deleteChannel",
                "summary": "Delete a channel",
                "tags": [
                  "channels"
                ],
                "description": "Scope: `admin`. Removes the channel with its pending updates and dead letters. Deleting a channel that does not exist is a 404 `unknown_channel`.",
                "x-scope": "admin",
                "responses": {
                  "204": {
                    "description": "Deleted.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/InvalidRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/UnknownChannel"
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              }
            },
            "/v1/channels/{name}/dead-letters": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/XRequestId"
                },
                {
                  "$ref": "#/components/parameters/ChannelName"
                }
              ],
              "get": {
                "operationId": "listDeadLetters",
                "summary": "List a channel's dead letters",
                "tags": [
                  "channels"
                ],
                "description": "Scope: `read`. Deliveries that failed `maxAttempts` times, oldest first, kept until replayed.",
                "x-scope": "read",
                "responses": {
                  "200": {
                    "description": "The dead letters.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/DeadLetterList"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/InvalidRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/UnknownChannel"
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              }
            },
            "/v1/channels/{name}/dead-letters/replay": {
              "parameters": [
                {
                  "$ref": "#/components/parameters/XRequestId"
                },
                {
                  "$ref": "#/components/parameters/ChannelName"
                }
              ],
              "post": {
                "operationId": "replayDeadLetters",
                "summary": "Replay a channel's dead letters",
                "tags": [
                  "channels"
                ],
                "description": "Scope: `admin`. Removes every dead letter of the channel from the list and queues the *current* availability of their skus for delivery (never the stale values they hold). Send no body (an empty body; 411 is never answered). A body, if sent anyway, is ignored, but it still counts against the 1 MiB limit and must not have a `Content-Type` other than `application/json`.",
                "x-scope": "admin",
                "responses": {
                  "200": {
                    "description": "How many were queued.",
                    "headers": {
                      "X-Request-Id": {
                        "$ref": "#/components/headers/XRequestId"
                      }
                    },
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/ReplayResult"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/InvalidRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "403": {
                    "$ref": "#/components/responses/Forbidden"
                  },
                  "404": {
                    "$ref": "#/components/responses/UnknownChannel"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "431": {
                    "$ref": "#/components/responses/HeadersTooLarge"
                  }
                }
              }
            }
          },
          "webhooks": {
            "availabilityChanged": {
              "post": {
                "operationId": "availabilityChanged",
                "summary": "A channel's availability changed",
                "tags": [
                  "channels"
                ],
                "description": "atpd POSTs to the channel's `endpoint`. Only the latest availability of a sku is sent (coalescing); a sku whose channel availability goes to 0, or back from 0, goes ahead of other pending updates. At most `burst` requests at once and `ratePerSecond` on average, per channel. 2xx = delivered; 429 or 503 = throttled, `Retry-After` is honoured; 410 = the channel is disabled; anything else, or no answer within the timeout, is retried with exponential backoff and jitter, and after `maxAttempts` the delivery becomes a dead letter.",
                "security": [],
                "parameters": [
                  {
                    "name": "webhook-id",
                    "in": "header",
                    "required": true,
                    "description": "Unique per delivery; the same on its retries (deduplicate on it).",
                    "schema": {
                      "type": "string",
                      "minLength": 1
                    }
                  },
                  {
                    "name": "webhook-timestamp",
                    "in": "header",
                    "required": true,
                    "description": "Unix time in seconds of this attempt.",
                    "schema": {
                      "type": "string",
                      "pattern": "^[0-9]+$"
                    }
                  },
                  {
                    "name": "webhook-signature",
                    "in": "header",
                    "required": false,
                    "description": "Only when the channel has a secret (Standard Webhooks 1.0): `v1,` and the base64 of HMAC-SHA256(secret bytes, `<webhook-id>.<webhook-timestamp>.<body>`), where the secret bytes are the base64 decoding of what follows `whsec_`.",
                    "schema": {
                      "type": "string",
                      "pattern": "^v1,[A-Za-z0-9+/=]+$"
                    }
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/WebhookPayload"
                      }
                    }
                  }
                },
                "responses": {
                  "2XX": {
                    "description": "Delivered."
                  },
                  "410": {
                    "description": "The receiver disabled the channel; atpd stops delivering to it."
                  },
                  "429": {
                    "description": "Throttled; retried after `Retry-After`.",
                    "headers": {
                      "Retry-After": {
                        "$ref": "#/components/headers/RetryAfter"
                      }
                    }
                  },
                  "503": {
                    "description": "Throttled; retried after `Retry-After`.",
                    "headers": {
                      "Retry-After": {
                        "$ref": "#/components/headers/RetryAfter"
                      }
                    }
                  },
                  "default": {
                    "description": "Failed; retried with exponential backoff and jitter."
                  }
                }
              }
            }
          },
          "components": {
            "schemas": {
              "Key": {
                "type": "string",
                "minLength": 1,
                "maxLength": 128,
                "pattern": "^[^\\u0000-\\u001F\\u007F-\\u009F]+$",
                "description": "A sku, location, channel name, event id or event source: 1-128 bytes of UTF-8 without control characters (U+0000-U+001F, U+007F-U+009F). `maxLength` counts characters; the server's limit is 128 bytes of UTF-8."
              },
              "Timestamp": {
                "type": "string",
                "format": "date-time",
                "pattern": "Z$",
                "description": "An RFC 3339 time in UTC (ends in `Z`), e.g. `2026-11-25T10:15:00Z`; fractional seconds may be present.",
                "examples": [
                  "2026-11-25T10:15:00Z"
                ]
              },
              "Problem": {
                "type": "object",
                "description": "An RFC 9457 problem detail, sent as `application/problem+json`. `code` is the stable, machine-readable part; `title` is the HTTP reason phrase of `status` and `detail` a human-readable explanation that may change between versions. There is no `instance` member. Members not listed here may be added later; clients ignore them.",
                "required": [
                  "type",
                  "title",
                  "status",
                  "code",
                  "detail"
                ],
                "properties": {
                  "type": {
                    "type": "string",
                    "const": "about:blank"
                  },
                  "title": {
                    "type": "string",
                    "examples": [
                      "Conflict"
                    ]
                  },
                  "status": {
                    "type": "integer",
                    "minimum": 400,
                    "maximum": 599,
                    "description": "The HTTP status code of the response."
                  },
                  "code": {
                    "type": "string",
                    "pattern": "^[a-z][a-z_]*$",
                    "examples": [
                      "insufficient_stock"
                    ],
                    "description": "The stable error code; see the API description for the full list."
                  },
                  "detail": {
                    "type": "string"
                  },
                  "lines": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/InsufficientLine"
                    },
                    "description": "Only with `insufficient_stock`: every line that could not be held."
                  },
                  "reservationStatus": {
                    "type": "string",
                    "enum": [
                      "held",
                      "confirmed",
                      "fulfilled",
                      "released",
                      "expired"
                    ],
                    "description": "Only with `invalid_state`: the reservation's current status (`status` stays the HTTP status, as in RFC 9457)."
                  }
                },
                "additionalProperties": true
              },
              "AvailabilityRequest": {
                "type": "object",
                "description": "Availability of up to 1,000 skus: network-wide, at one `location`, or for one `channel`. Giving both `location` and `channel` is a 400 `invalid_request`. Unknown members are ignored.",
                "required": [
                  "skus"
                ],
                "properties": {
                  "skus": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 1000,
                    "items": {
                      "$ref": "#/components/schemas/Key"
                    },
                    "description": "1 to 1,000 skus; answered in this order, duplicates included."
                  },
                  "location": {
                    "$ref": "#/components/schemas/Key",
                    "description": "Availability at this one location only."
                  },
                  "channel": {
                    "$ref": "#/components/schemas/Key",
                    "description": "Availability for this channel (its locations minus its buffer)."
                  }
                },
                "not": {
                  "required": [
                    "location",
                    "channel"
                  ]
                },
                "examples": [
                  {
                    "skus": [
                      "A",
                      "B"
                    ],
                    "location": "DC1"
                  }
                ]
              },
              "AvailabilityItem": {
                "type": "object",
                "required": [
                  "sku",
                  "available"
                ],
                "properties": {
                  "sku": {
                    "$ref": "#/components/schemas/Key"
                  },
                  "available": {
                    "type": "integer",
                    "minimum": 0,
                    "format": "int64",
                    "description": "Units that can be promised; 0 for an unknown sku or location. Network-wide sums saturate at 2^63-1 instead of overflowing."
                  },
                  "location": {
                    "$ref": "#/components/schemas/Key",
                    "description": "Present only when the request named a `location`."
                  }
                }
              },
              "AvailabilityResponse": {
                "type": "object",
                "required": [
                  "items"
                ],
                "properties": {
                  "items": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/AvailabilityItem"
                    },
                    "description": "One item per requested sku, in request order."
                  },
                  "channel": {
                    "$ref": "#/components/schemas/Key",
                    "description": "Present only when the request named a `channel`."
                  }
                },
                "examples": [
                  {
                    "items": [
                      {
                        "sku": "A",
                        "available": 7
                      },
                      {
                        "sku": "B",
                        "available": 0
                      }
                    ]
                  }
                ]
              },
              "LocationStock": {
                "type": "object",
                "description": "The figures of one (sku, location) cell. `available = max(0, onHand - reserved - safetyStock)`.",
                "required": [
                  "location",
                  "onHand",
                  "reserved",
                  "safetyStock",
                  "available"
                ],
                "properties": {
                  "location": {
                    "$ref": "#/components/schemas/Key"
                  },
                  "onHand": {
                    "type": "integer",
                    "minimum": -1000000000000,
                    "maximum": 1000000000000,
                    "format": "int64",
                    "description": "Physical units; may be negative when sales outran counts."
                  },
                  "reserved": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 1000000000000,
                    "format": "int64",
                    "description": "Units held by live (held or confirmed) reservations."
                  },
                  "safetyStock": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 1000000000
                  },
                  "available": {
                    "type": "integer",
                    "minimum": 0,
                    "format": "int64"
                  }
                }
              },
              "StockDetail": {
                "type": "object",
                "required": [
                  "sku",
                  "available",
                  "locations"
                ],
                "properties": {
                  "sku": {
                    "$ref": "#/components/schemas/Key"
                  },
                  "available": {
                    "type": "integer",
                    "minimum": 0,
                    "format": "int64",
                    "description": "Network-wide: the sum of the cells' `available` (saturating at 2^63-1)."
                  },
                  "locations": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/LocationStock"
                    },
                    "description": "Every cell of the sku, sorted by location (bytewise UTF-8)."
                  }
                },
                "examples": [
                  {
                    "sku": "A",
                    "available": 9,
                    "locations": [
                      {
                        "location": "DC1",
                        "onHand": 10,
                        "reserved": 1,
                        "safetyStock": 0,
                        "available": 9
                      }
                    ]
                  }
                ]
              },
              "SafetyStockRequest": {
                "type": "object",
                "required": [
                  "safetyStock"
                ],
                "properties": {
                  "safetyStock": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 1000000000
                  }
                },
                "examples": [
                  {
                    "safetyStock": 2
                  }
                ]
              },
              "StockCell": {
                "type": "object",
                "description": "One (sku, location) cell after a change.",
                "required": [
                  "sku",
                  "location",
                  "onHand",
                  "reserved",
                  "safetyStock",
                  "available"
                ],
                "properties": {
                  "sku": {
                    "$ref": "#/components/schemas/Key"
                  },
                  "location": {
                    "$ref": "#/components/schemas/Key"
                  },
                  "onHand": {
                    "type": "integer",
                    "minimum": -1000000000000,
                    "maximum": 1000000000000,
                    "format": "int64"
                  },
                  "reserved": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 1000000000000,
                    "format": "int64"
                  },
                  "safetyStock": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 1000000000
                  },
                  "available": {
                    "type": "integer",
                    "minimum": 0,
                    "format": "int64"
                  }
                },
                "examples": [
                  {
                    "sku": "A",
                    "location": "DC1",
                    "onHand": 10,
                    "reserved": 1,
                    "safetyStock": 2,
                    "available": 7
                  }
                ]
              },
              "ReservationLine": {
                "type": "object",
                "required": [
                  "sku",
                  "location",
                  "qty"
                ],
                "properties": {
                  "sku": {
                    "$ref": "#/components/schemas/Key"
                  },
                  "location": {
                    "$ref": "#/components/schemas/Key"
                  },
                  "qty": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1000000000,
                    "description": "1 to 1,000,000,000; outside that range is a 400 `quantity_out_of_range`."
                  }
                }
              },
              "ReservationRequest": {
                "type": "object",
                "description": "All lines are held or none is. The same (sku, location) may appear only once (400 `duplicate_line`). Unknown members are ignored.",
                "required": [
                  "lines"
                ],
                "properties": {
                  "lines": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 100,
                    "items": {
                      "$ref": "#/components/schemas/ReservationLine"
                    }
                  },
                  "ttlSeconds": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 604800,
                    "default": 900,
                    "description": "How long the hold lasts while `held`."
                  },
                  "reference": {
                    "type": "string",
                    "maxLength": 256,
                    "description": "Free text (at most 256 bytes of UTF-8), stored and echoed."
                  }
                },
                "examples": [
                  {
                    "lines": [
                      {
                        "sku": "A",
                        "location": "DC1",
                        "qty": 2
                      }
                    ],
                    "ttlSeconds": 900,
                    "reference": "cart-123"
                  }
                ]
              },
              "Reservation": {
                "type": "object",
                "required": [
                  "id",
                  "status",
                  "createdAt",
                  "updatedAt",
                  "expiresAt",
                  "lines"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "pattern": "^r_[0-9a-f]{16}$",
                    "examples": [
                      "r_3f9a0c1d5e7b2a48"
                    ]
                  },
                  "status": {
                    "type": "string",
                    "enum": [
                      "held",
                      "confirmed",
                      "fulfilled",
                      "released",
                      "expired"
                    ],
                    "description": "held -> confirmed | fulfilled | released | expired; confirmed -> fulfilled | released. fulfilled, released and expired are final."
                  },
                  "createdAt": {
                    "$ref": "#/components/schemas/Timestamp"
                  },
                  "updatedAt": {
                    "$ref": "#/components/schemas/Timestamp",
                    "description": "When the status last changed (creation time until then)."
                  },
                  "expiresAt": {
                    "$ref": "#/components/schemas/Timestamp",
                    "description": "When a `held` reservation expires. Kept as set at creation once the reservation leaves `held`; only a held reservation expires."
                  },
                  "reference": {
                    "type": "string",
                    "maxLength": 256,
                    "description": "Present only when the request gave one."
                  },
                  "lines": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 100,
                    "items": {
                      "$ref": "#/components/schemas/ReservationLine"
                    }
                  }
                },
                "examples": [
                  {
                    "id": "r_3f9a0c1d5e7b2a48",
                    "status": "held",
                    "createdAt": "2026-11-25T10:00:00Z",
                    "updatedAt": "2026-11-25T10:00:00Z",
                    "expiresAt": "2026-11-25T10:15:00Z",
                    "reference": "cart-123",
                    "lines": [
                      {
                        "sku": "A",
                        "location": "DC1",
                        "qty": 2
                      }
                    ]
                  }
                ]
              },
              "InsufficientLine": {
                "type": "object",
                "required": [
                  "sku",
                  "location",
                  "requested",
                  "available"
                ],
                "properties": {
                  "sku": {
                    "$ref": "#/components/schemas/Key"
                  },
                  "location": {
                    "$ref": "#/components/schemas/Key"
                  },
                  "requested": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1000000000
                  },
                  "available": {
                    "type": "integer",
                    "minimum": 0,
                    "format": "int64",
                    "description": "What the cell had available when the hold was refused."
                  }
                }
              },
              "StockEvent": {
                "type": "object",
                "description": "One stock change from a warehouse or till. `set`: onHand := qty; `adjust`: onHand += delta; `sale`: onHand -= qty; `return`: onHand += qty. None touches `reserved`. An `id` seen before (kept at least 24 hours) is a duplicate; with `seq`, an event whose seq is not greater than the last applied seq of its `source` for its (sku, location) is stale. An event breaking this schema is rejected alone (`invalid_event`, or `quantity_out_of_range` when it would take onHand beyond +/-10^12); the other events of the batch still apply.",
                "required": [
                  "id",
                  "type",
                  "sku",
                  "location"
                ],
                "properties": {
                  "id": {
                    "$ref": "#/components/schemas/Key",
                    "description": "Unique event id, 1-128 bytes; the deduplication key."
                  },
                  "source": {
                    "$ref": "#/components/schemas/Key",
                    "description": "The sending system (e.g. `wms-1`); required when `seq` is given."
                  },
                  "seq": {
                    "type": "integer",
                    "minimum": 0,
                    "format": "int64",
                    "description": "Per (source, sku, location) sequence number; must increase."
                  },
                  "type": {
                    "type": "string",
                    "enum": [
                      "set",
                      "adjust",
                      "sale",
                      "return"
                    ]
                  },
                  "sku": {
                    "$ref": "#/components/schemas/Key"
                  },
                  "location": {
                    "$ref": "#/components/schemas/Key"
                  },
                  "qty": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 1000000000,
                    "description": "For `set` (0 or more) and for `sale` and `return` (1 or more)."
                  },
                  "delta": {
                    "type": "integer",
                    "minimum": -1000000000,
                    "maximum": 1000000000,
                    "not": {
                      "const": 0
                    },
                    "description": "For `adjust`: non-zero."
                  },
                  "reason": {
                    "type": "string",
                    "maxLength": 256,
                    "description": "Free text, at most 256 bytes of UTF-8; informational."
                  },
                  "at": {
                    "type": "string",
                    "format": "date-time",
                    "description": "When the change happened at the source (RFC 3339); informational, ordering uses array order and `seq`."
                  }
                },
                "dependentRequired": {
                  "seq": [
                    "source"
                  ]
                },
                "allOf": [
                  {
                    "if": {
                      "properties": {
                        "type": {
                          "const": "set"
                        }
                      }
                    },
                    "then": {
                      "required": [
                        "qty"
                      ]
                    }
                  },
                  {
                    "if": {
                      "properties": {
                        "type": {
                          "const": "adjust"
                        }
                      }
                    },
                    "then": {
                      "required": [
                        "delta"
                      ]
                    }
                  },
                  {
                    "if": {
                      "properties": {
                        "type": {
                          "enum": [
                            "sale",
                            "return"
                          ]
                        }
                      }
                    },
                    "then": {
                      "required": [
                        "qty"
                      ],
                      "properties": {
                        "qty": {
                          "minimum": 1
                        }
                      }
                    }
                  }
                ]
              },
              "EventsRequest": {
                "type": "object",
                "required": [
                  "events"
                ],
                "properties": {
                  "events": {
                    "type": "array",
                    "minItems": 0,
                    "maxItems": 5000,
                    "items": {
                      "$ref": "#/components/schemas/StockEvent"
                    },
                    "description": "Up to 5,000 events, applied in array order. An empty array is accepted and applies nothing (all counts 0). More than 5,000 is a 400 `invalid_request` and nothing is applied."
                  }
                },
                "examples": [
                  {
                    "events": [
                      {
                        "id": "wms-1-000017",
                        "source": "wms-1",
                        "seq": 17,
                        "type": "set",
                        "sku": "A",
                        "location": "DC1",
                        "qty": 100,
                        "reason": "cycle_count"
                      },
                      {
                        "id": "wms-1-000018",
                        "source": "wms-1",
                        "seq": 18,
                        "type": "adjust",
                        "sku": "A",
                        "location": "DC1",
                        "delta": -2,
                        "reason": "damaged"
                      },
                      {
                        "id": "pos-7-88121",
                        "source": "pos-7",
                        "type": "sale",
                        "sku": "A",
                        "location": "STORE-7",
                        "qty": 1
                      }
                    ]
                  }
                ]
              },
              "RejectedEvent": {
                "type": "object",
                "required": [
                  "index",
                  "code",
                  "detail"
                ],
                "properties": {
                  "index": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "The event's index in `events`."
                  },
                  "id": {
                    "type": "string",
                    "description": "The event's `id`, when it had a string one."
                  },
                  "code": {
                    "type": "string",
                    "enum": [
                      "invalid_event",
                      "quantity_out_of_range",
                      "capacity_exhausted"
                    ],
                    "description": "`invalid_event`: the event breaks the event schema or rules; `quantity_out_of_range`: applying it would take onHand beyond +/-10^12; `capacity_exhausted`: no room for another cell or source."
                  },
                  "detail": {
                    "type": "string"
                  }
                }
              },
              "EventsResponse": {
                "type": "object",
                "description": "One outcome per event: `applied + duplicate + stale + len(rejected)` equals the number of events sent.",
                "required": [
                  "applied",
                  "duplicate",
                  "stale",
                  "rejected"
                ],
                "properties": {
                  "applied": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Events applied."
                  },
                  "duplicate": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Events whose id was seen before; nothing changed."
                  },
                  "stale": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Events whose seq was not newer; nothing changed."
                  },
                  "rejected": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/RejectedEvent"
                    },
                    "description": "Rejected events in index order; empty when none."
                  }
                },
                "examples": [
                  {
                    "applied": 3,
                    "duplicate": 1,
                    "stale": 0,
                    "rejected": [
                      {
                        "index": 4,
                        "id": "x",
                        "code": "invalid_event",
                        "detail": "qty of a sale must be 1...1000000000"
                      }
                    ]
                  }
                ]
              },
              "ChannelConfig": {
                "type": "object",
                "description": "A channel's configuration. PUT replaces the whole configuration: an omitted member takes its default (an omitted `secret` means no signature). Unknown members are ignored.",
                "required": [
                  "endpoint"
                ],
                "properties": {
                  "endpoint": {
                    "type": "string",
                    "format": "uri",
                    "pattern": "^http://",
                    "maxLength": 2048,
                    "description": "Absolute `http://` URL that receives `availabilityChanged` webhooks. The host must be an IPv4 address or `localhost` (atpd does no DNS and no TLS; put a proxy in front of remote or https receivers)."
                  },
                  "locations": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Key"
                    },
                    "description": "The locations whose stock the channel sells; omitted = all locations, including ones first seen later."
                  },
                  "bufferUnits": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 1000000000,
                    "default": 0,
                    "description": "Units held back: channel availability is the sum over its locations minus this, floored at 0."
                  },
                  "ratePerSecond": {
                    "type": "number",
                    "minimum": 0.0002777777777777778,
                    "maximum": 1000000000,
                    "default": 10,
                    "description": "Average webhook requests per second, at most: from 1/3600 (one request an hour) to 1000000000. A value outside that range is 400 `invalid_request` naming the field and the range."
                  },
                  "burst": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1000000000,
                    "description": "At most this many webhook requests at once. Default: `ratePerSecond` rounded up (at least 1)."
                  },
                  "maxBatch": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1000,
                    "default": 100,
                    "description": "At most this many updates per webhook request."
                  },
                  "secret": {
                    "type": "string",
                    "pattern": "^whsec_[A-Za-z0-9+/=]+$",
                    "maxLength": 1024,
                    "writeOnly": true,
                    "description": "Standard Webhooks signing secret: `whsec_` and the base64 of the key bytes. Never returned; `hasSecret` says whether one is set."
                  },
                  "maxAttempts": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 100,
                    "default": 8,
                    "description": "Delivery attempts before a delivery becomes a dead letter (429/503 answers are flow control and do not count)."
                  },
                  "breakerThreshold": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1000,
                    "default": 5,
                    "description": "Consecutive failed attempts that open the channel's circuit breaker."
                  },
                  "breakerCooldownSeconds": {
                    "type": "number",
                    "minimum": 0.001,
                    "maximum": 3600,
                    "default": 30,
                    "description": "How long the breaker stays open before one half-open trial request."
                  }
                },
                "examples": [
                  {
                    "endpoint": "http://127.0.0.1:9000/hook",
                    "locations": [
                      "DC1",
                      "STORE-7"
                    ],
                    "bufferUnits": 2,
                    "ratePerSecond": 5,
                    "burst": 5,
                    "maxBatch": 100,
                    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                    "maxAttempts": 8
                  }
                ]
              },
              "ChannelStatus": {
                "type": "object",
                "required": [
                  "pending",
                  "sent",
                  "failedAttempts",
                  "deadLetters",
                  "breaker",
                  "lastSuccessAt"
                ],
                "properties": {
                  "pending": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Skus with an update waiting to be sent."
                  },
                  "sent": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Webhook requests delivered (answered 2xx) since the server started. After a restart (or a new definition) every channel gets the current availability of every sku it covers again (full resync)."
                  },
                  "failedAttempts": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Delivery attempts that failed since the server started."
                  },
                  "deadLetters": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Dead letters currently kept."
                  },
                  "breaker": {
                    "type": "string",
                    "enum": [
                      "closed",
                      "open",
                      "half_open"
                    ],
                    "description": "The circuit breaker in front of the endpoint."
                  },
                  "lastSuccessAt": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time",
                    "description": "When a delivery last succeeded (UTC), or null if never."
                  }
                }
              },
              "Channel": {
                "type": "object",
                "description": "A channel's configuration with defaults filled in, without the secret, plus its delivery status.",
                "required": [
                  "name",
                  "endpoint",
                  "bufferUnits",
                  "ratePerSecond",
                  "burst",
                  "maxBatch",
                  "maxAttempts",
                  "hasSecret",
                  "status"
                ],
                "properties": {
                  "name": {
                    "$ref": "#/components/schemas/Key"
                  },
                  "endpoint": {
                    "type": "string",
                    "format": "uri"
                  },
                  "locations": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Key"
                    },
                    "description": "Present only when configured; absent = all locations."
                  },
                  "bufferUnits": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 1000000000
                  },
                  "ratePerSecond": {
                    "type": "number",
                    "minimum": 0.0002777777777777778,
                    "maximum": 1000000000
                  },
                  "burst": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1000000000
                  },
                  "maxBatch": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1000
                  },
                  "maxAttempts": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 100
                  },
                  "breakerThreshold": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1000
                  },
                  "breakerCooldownSeconds": {
                    "type": "number"
                  },
                  "hasSecret": {
                    "type": "boolean",
                    "description": "True when webhooks are signed."
                  },
                  "disabled": {
                    "type": "boolean",
                    "description": "True once the endpoint answered 410 Gone: nothing is delivered until the channel is PUT again (which resyncs it)."
                  },
                  "status": {
                    "$ref": "#/components/schemas/ChannelStatus"
                  }
                },
                "examples": [
                  {
                    "name": "web",
                    "endpoint": "http://127.0.0.1:9000/hook",
                    "locations": [
                      "DC1",
                      "STORE-7"
                    ],
                    "bufferUnits": 2,
                    "ratePerSecond": 5,
                    "burst": 5,
                    "maxBatch": 100,
                    "maxAttempts": 8,
                    "hasSecret": true,
                    "status": {
                      "pending": 0,
                      "sent": 12,
                      "failedAttempts": 1,
                      "deadLetters": 0,
                      "breaker": "closed",
                      "lastSuccessAt": "2026-11-25T10:15:00.123Z"
                    }
                  }
                ]
              },
              "ChannelList": {
                "type": "object",
                "required": [
                  "channels"
                ],
                "properties": {
                  "channels": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Channel"
                    },
                    "description": "Every channel, sorted by name."
                  }
                }
              },
              "AvailabilityUpdate": {
                "type": "object",
                "required": [
                  "sku",
                  "available",
                  "at"
                ],
                "properties": {
                  "sku": {
                    "$ref": "#/components/schemas/Key"
                  },
                  "available": {
                    "type": "integer",
                    "minimum": 0,
                    "format": "int64",
                    "description": "The sku's latest availability for the channel."
                  },
                  "at": {
                    "$ref": "#/components/schemas/Timestamp",
                    "description": "When the availability took this value."
                  }
                }
              },
              "WebhookPayload": {
                "type": "object",
                "required": [
                  "channel",
                  "updates"
                ],
                "properties": {
                  "channel": {
                    "$ref": "#/components/schemas/Key"
                  },
                  "updates": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 1000,
                    "items": {
                      "$ref": "#/components/schemas/AvailabilityUpdate"
                    },
                    "description": "At most the channel's `maxBatch` updates, one per sku."
                  }
                },
                "examples": [
                  {
                    "channel": "web",
                    "updates": [
                      {
                        "sku": "A",
                        "available": 5,
                        "at": "2026-11-25T10:15:00.123Z"
                      }
                    ]
                  }
                ]
              },
              "DeadLetter": {
                "type": "object",
                "required": [
                  "webhookId",
                  "updates",
                  "attempts",
                  "lastError",
                  "failedAt"
                ],
                "properties": {
                  "webhookId": {
                    "type": "string",
                    "description": "The `webhook-id` the delivery was sent with."
                  },
                  "updates": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/AvailabilityUpdate"
                    }
                  },
                  "attempts": {
                    "type": "integer",
                    "minimum": 1
                  },
                  "lastError": {
                    "type": "string",
                    "description": "Why the last attempt failed, for humans."
                  },
                  "failedAt": {
                    "$ref": "#/components/schemas/Timestamp",
                    "description": "When the delivery became a dead letter."
                  }
                }
              },
              "DeadLetterList": {
                "type": "object",
                "required": [
                  "deadLetters"
                ],
                "properties": {
                  "deadLetters": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/DeadLetter"
                    }
                  }
                }
              },
              "ReplayResult": {
                "type": "object",
                "required": [
                  "replayed"
                ],
                "properties": {
                  "replayed": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Dead letters queued for delivery again."
                  }
                }
              }
            },
            "responses": {
              "InvalidRequest": {
                "description": "`invalid_request`: a query parameter or path segment is missing, repeated too often, malformed (bad percent-encoding, not UTF-8) or breaks the key rules.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "invalid_request"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "InvalidBody": {
                "description": "`invalid_json`: the body is not JSON. `invalid_request`: the JSON has the wrong shape (a member missing, of the wrong type or out of its range), or a path segment or query parameter is invalid.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "invalid_json",
                                "invalid_request"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "InvalidQuantityBody": {
                "description": "`invalid_json`: the body is not JSON. `invalid_request`: the JSON has the wrong shape. `quantity_out_of_range`: a quantity is outside its range (never above 1,000,000,000 in magnitude).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "invalid_json",
                                "invalid_request",
                                "quantity_out_of_range"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "InvalidReservation": {
                "description": "`invalid_json`: the body is not JSON. `invalid_request`: wrong shape, 0 or more than 100 lines, `ttlSeconds` outside 1..604800, `reference` over 256 bytes, a bad key, or a bad `Idempotency-Key`. `quantity_out_of_range`: a line's `qty` outside 1..1,000,000,000. `duplicate_line`: the same (sku, location) twice. Nothing is held.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 400
                            },
                            "code": {
                              "enum": [
                                "invalid_json",
                                "invalid_request",
                                "quantity_out_of_range",
                                "duplicate_line"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "Unauthorized": {
                "description": "`unauthorized`: no bearer token, or an unknown one.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  },
                  "WWW-Authenticate": {
                    "$ref": "#/components/headers/WWWAuthenticate"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 401
                            },
                            "code": {
                              "enum": [
                                "unauthorized"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "Forbidden": {
                "description": "`forbidden`: the token is known but lacks the scope this operation needs.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 403
                            },
                            "code": {
                              "enum": [
                                "forbidden"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "NotFound": {
                "description": "`not_found`: no route matches the path.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "not_found"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "UnknownSku": {
                "description": "`unknown_sku`: the sku has never been seen.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "unknown_sku"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "UnknownReservation": {
                "description": "`unknown_reservation`: no such reservation (including an id not of the form `r_` + 16 hex digits, and a final reservation past its retention).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "unknown_reservation"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "UnknownChannel": {
                "description": "`unknown_channel`: no channel has this name.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 404
                            },
                            "code": {
                              "enum": [
                                "unknown_channel"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "MethodNotAllowed": {
                "description": "`method_not_allowed`: the path exists but not with this method; `Allow` lists the methods it has.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  },
                  "Allow": {
                    "$ref": "#/components/headers/Allow"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 405
                            },
                            "code": {
                              "enum": [
                                "method_not_allowed"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "RequestTimeout": {
                "description": "`request_timeout`: the request line and headers did not arrive in time; the server closes the connection after this answer.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 408
                            },
                            "code": {
                              "enum": [
                                "request_timeout"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "ReservationConflict": {
                "description": "`insufficient_stock`: at least one line cannot be held; `lines` lists every such line with what was available, and nothing is held. `idempotency_in_progress`: a request with the same `Idempotency-Key` is still being processed; retry later.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 409
                            },
                            "code": {
                              "enum": [
                                "insufficient_stock",
                                "idempotency_in_progress"
                              ]
                            }
                          },
                          "if": {
                            "properties": {
                              "code": {
                                "const": "insufficient_stock"
                              }
                            }
                          },
                          "then": {
                            "required": [
                              "lines"
                            ]
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "InvalidState": {
                "description": "`invalid_state`: the reservation is in a final state (fulfilled, released, expired) other than the one asked for; `reservationStatus` names it.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 409
                            },
                            "code": {
                              "enum": [
                                "invalid_state"
                              ]
                            }
                          },
                          "required": [
                            "reservationStatus"
                          ]
                        }
                      ]
                    }
                  }
                }
              },
              "PayloadTooLarge": {
                "description": "`payload_too_large`: the body is over the limit (8 MiB on `POST /v1/events`, 1 MiB elsewhere, both configurable). Nothing changes.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 413
                            },
                            "code": {
                              "enum": [
                                "payload_too_large"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "UnsupportedMediaType": {
                "description": "`unsupported_media_type`: a body was sent with a `Content-Type` other than `application/json` (parameters such as `charset=utf-8` are allowed; a missing `Content-Type` is accepted).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 415
                            },
                            "code": {
                              "enum": [
                                "unsupported_media_type"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "IdempotencyKeyReuse": {
                "description": "`idempotency_key_reuse`: this `Idempotency-Key` was used by this API key with a different body.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 422
                            },
                            "code": {
                              "enum": [
                                "idempotency_key_reuse"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "HeadersTooLarge": {
                "description": "`headers_too_large`: the request line and headers are over the limit (configurable; 16 KiB by default). Any operation can answer it, before routing; the connection is closed and nothing changes.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 431
                            },
                            "code": {
                              "enum": [
                                "headers_too_large"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "NotImplemented": {
                "description": "`not_implemented`: this version does not have this operation yet (channel dead-letter routes, until channel push lands).",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 501
                            },
                            "code": {
                              "enum": [
                                "not_implemented"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "NotReady": {
                "description": "`not_ready`: state is still being recovered or the store is unreachable.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 503
                            },
                            "code": {
                              "enum": [
                                "not_ready"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              },
              "CapacityExhausted": {
                "description": "`capacity_exhausted`: a bounded in-memory table (cells, sources, reservations, channels) has no room for another entry. Nothing changed; retry later or raise the limit. `store_unavailable` (with `Retry-After`): the store (Redis, the journal's disk) refused the change or failed before it was durable, and atpd rolled it back: nothing changed, not in memory, not in the store, not after a restart, not in a channel push. Retry it: with the same `Idempotency-Key` or event ids it applies exactly once (the failed attempt left neither the key nor the ids behind), and without a key it is simply a new request. `not_ready`: state is still being recovered at start.",
                "headers": {
                  "X-Request-Id": {
                    "$ref": "#/components/headers/XRequestId"
                  }
                },
                "content": {
                  "application/problem+json": {
                    "schema": {
                      "allOf": [
                        {
                          "$ref": "#/components/schemas/Problem"
                        },
                        {
                          "properties": {
                            "status": {
                              "const": 503
                            },
                            "code": {
                              "enum": [
                                "capacity_exhausted",
                                "store_unavailable",
                                "not_ready"
                              ]
                            }
                          }
                        }
                      ]
                    }
                  }
                }
              }
            },
            "parameters": {
              "XRequestId": {
                "name": "X-Request-Id",
                "in": "header",
                "required": false,
                "description": "Optional request id, echoed in the response's `X-Request-Id` when it is 1-128 bytes of printable ASCII (0x20-0x7E); any other value is replaced by a generated id (the request is not refused).",
                "schema": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 128,
                  "pattern": "^[ -~]{1,128}$"
                }
              },
              "IdempotencyKey": {
                "name": "Idempotency-Key",
                "in": "header",
                "required": false,
                "description": "1-255 bytes of printable ASCII (0x20-0x7E), scoped to the API key that sends it and kept at least 24 hours. Same key and same body: the stored status and body again, with `Idempotent-Replayed: true`. Same key, different body: 422 `idempotency_key_reuse`. Same key while the first request is still being processed: 409 `idempotency_in_progress`. A malformed key is a 400 `invalid_request`.",
                "schema": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 255,
                  "pattern": "^[ -~]{1,255}$"
                }
              },
              "Sku": {
                "name": "sku",
                "in": "path",
                "required": true,
                "description": "The sku, percent-encoded (`/` as `%2F`); decoded after routing.",
                "schema": {
                  "$ref": "#/components/schemas/Key"
                }
              },
              "Location": {
                "name": "location",
                "in": "path",
                "required": true,
                "description": "The location, percent-encoded (`/` as `%2F`); decoded after routing.",
                "schema": {
                  "$ref": "#/components/schemas/Key"
                }
              },
              "ReservationId": {
                "name": "id",
                "in": "path",
                "required": true,
                "description": "The reservation id. An id not of this form answers 404 `unknown_reservation`.",
                "schema": {
                  "type": "string",
                  "pattern": "^r_[0-9a-f]{16}$"
                }
              },
              "ChannelName": {
                "name": "name",
                "in": "path",
                "required": true,
                "description": "The channel name, percent-encoded; decoded after routing.",
                "schema": {
                  "$ref": "#/components/schemas/Key"
                }
              }
            },
            "headers": {
              "XRequestId": {
                "description": "On every response. The request's `X-Request-Id` echoed when it was 1-128 bytes of printable ASCII (0x20-0x7E); otherwise an id the server generated.",
                "required": true,
                "schema": {
                  "type": "string",
                  "minLength": 1,
                  "maxLength": 128,
                  "pattern": "^[ -~]{1,128}$"
                }
              },
              "IdempotentReplayed": {
                "description": "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key` and body; absent otherwise.",
                "schema": {
                  "type": "string",
                  "const": "true"
                }
              },
              "WWWAuthenticate": {
                "description": "The authentication scheme: `Bearer`.",
                "required": true,
                "schema": {
                  "type": "string",
                  "examples": [
                    "Bearer"
                  ]
                }
              },
              "Allow": {
                "description": "The methods the path supports, e.g. `GET, PUT, DELETE`.",
                "required": true,
                "schema": {
                  "type": "string",
                  "examples": [
                    "GET, PUT, DELETE"
                  ]
                }
              },
              "RetryAfter": {
                "description": "Seconds (or an HTTP-date) to wait before the next delivery to this channel.",
                "schema": {
                  "type": "string",
                  "examples": [
                    "30"
                  ]
                }
              }
            },
            "securitySchemes": {
              "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "A token from the `--api-keys` file (`NAME SCOPES TOKEN` a line; the file may store `sha256:<hex>` of the token). Scopes: `read` (availability, stock, reservation and channel reads), `reserve` (create, confirm, fulfill, release reservations), `ingest` (`POST /v1/events`), `admin` (safety stock, channels, dead-letter replay)."
              }
            }
          }
        }
        """#
}
