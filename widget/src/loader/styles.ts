// Lives inside a closed shadow root. `:host` declarations are !important because in the cascade
// an important rule of the shadow tree beats the page's rules, important or not, for the host
// element; everything else is out of the page's reach anyway.
export const LOADER_CSS = `
:host{all:initial!important;display:block!important;position:static!important;contain:style!important}
*{box-sizing:border-box}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;padding:0;margin:0;border:0;border-radius:50%;
background:var(--accent);color:var(--on-accent);cursor:pointer;display:flex;align-items:center;justify-content:center;
box-shadow:0 6px 20px rgba(15,23,42,.28),0 2px 6px rgba(15,23,42,.18);transition:transform .15s ease,box-shadow .15s ease;
-webkit-tap-highlight-color:transparent}
.launcher:hover{transform:scale(1.06);box-shadow:0 10px 28px rgba(15,23,42,.32),0 2px 6px rgba(15,23,42,.18)}
.launcher:focus-visible{outline:3px solid var(--accent);outline-offset:3px}
.launcher svg{width:26px;height:26px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round;pointer-events:none}
.launcher .when-open{display:none}
.launcher[aria-expanded=true] .when-open{display:block}
.launcher[aria-expanded=true] .when-closed{display:none}
.badge{position:absolute;top:-3px;right:-3px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;background:#dc2626;color:#fff;
font:700 12px/20px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;text-align:center;box-shadow:0 0 0 2px #fff}
.badge[hidden],.launcher[aria-expanded=true] .badge{display:none}
.panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:380px;height:min(620px,calc(100vh - 112px));max-height:calc(100dvh - 112px);
border-radius:16px;overflow:hidden;background:#fff;box-shadow:0 18px 50px rgba(15,23,42,.28),0 4px 14px rgba(15,23,42,.14);
opacity:0;visibility:hidden;transform:translateY(14px) scale(.98);transform-origin:bottom right;
transition:opacity .18s ease,transform .18s ease,visibility 0s linear .18s}
.panel.open{opacity:1;visibility:visible;transform:none;transition:opacity .18s ease,transform .18s ease,visibility 0s}
.panel.expanded{width:min(520px,calc(100vw - 40px));height:min(760px,calc(100vh - 112px))}
@media (prefers-color-scheme:dark){.panel{background:#0f172a}.badge{box-shadow:0 0 0 2px #0f172a}}
.panel iframe{display:block;width:100%;height:100%;border:0;margin:0;padding:0}
@media (max-width:480px),(max-height:520px){
.panel,.panel.expanded{inset:0;width:100%;height:100%;max-height:none;border-radius:0}
.panel.open~.launcher{display:none}}
@media (prefers-reduced-motion:reduce){.launcher,.panel,.panel.open{transition:none}}
`;
