import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/App";
import { boot } from "./app/session";
import { installProblemCapture } from "./problemReports/capture";
import "./styles/base.css";
import "./styles/app.css";
import "./styles/kinds.css";
import "./styles/annotate.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
installProblemCapture(); // errors and failed requests from the start, for "Report a problem"
void boot();
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
