/**
 * Uploads with a real progress bar: `fetch` cannot report upload progress, so this one
 * request goes through XMLHttpRequest, with the same CSRF header, error shape and 401
 * handling as `request` in http.ts.
 */
import { ApiError, buildUrl, csrfTokenForWrites, errorFrom, reportUnauthorized, type RequestOptions } from "./http";

export interface UploadProgress {
  /** Bytes sent so far. */
  loaded: number;
  total: number;
  /** The whole body is sent; the server is working on it. */
  sent: boolean;
}

export interface UploadOptions {
  query?: RequestOptions["query"];
  contentType?: string;
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

/** Send `body` as the raw request body of a POST (a `FormData`: as multipart/form-data, the
 * browser writing its boundary); resolve with the JSON answer. */
export function upload<T>(path: string, body: Blob | FormData, options: UploadOptions = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", buildUrl(path, options.query));
    xhr.withCredentials = true;
    xhr.responseType = "text";
    xhr.setRequestHeader("Accept", "application/json");
    if (body instanceof Blob) xhr.setRequestHeader("Content-Type", options.contentType || body.type || "application/octet-stream");
    const token = csrfTokenForWrites();
    if (token) xhr.setRequestHeader("X-CSRF-Token", token);
    const total = body instanceof Blob ? body.size : 0;
    let sentTotal = total;
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) sentTotal = event.total;
      options.onProgress?.({ loaded: event.loaded, total: event.lengthComputable ? event.total : total, sent: false });
    };
    xhr.upload.onload = () => options.onProgress?.({ loaded: sentTotal, total: sentTotal, sent: true });
    xhr.onerror = () =>
      reject(new ApiError(0, "network", "Cannot reach the server: the upload did not finish. Check the connection and try again."));
    xhr.onabort = () => reject(new DOMException("The upload was cancelled.", "AbortError"));
    xhr.onload = () => {
      let payload: unknown = null;
      try {
        payload = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        payload = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(payload as T);
        return;
      }
      const error = errorFrom(xhr.status, xhr.statusText, payload);
      reportUnauthorized(error);
      reject(error);
    };
    if (options.signal) {
      if (options.signal.aborted) {
        reject(new DOMException("The upload was cancelled.", "AbortError"));
        return;
      }
      options.signal.addEventListener("abort", () => xhr.abort(), { once: true });
    }
    xhr.send(body);
  });
}
