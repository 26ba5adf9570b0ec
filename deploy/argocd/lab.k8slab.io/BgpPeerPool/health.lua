-- Argo CD health of a BgpPeerPool (resource.customizations.health.lab.k8slab.io_BgpPeerPool).
-- Healthy once Ready; Degraded when the spec is invalid (nothing of it was applied); Progressing while MetalLB is
-- being installed or configured and while BGP sessions and routes converge.
local hs = {status = "Progressing", message = "Waiting for the operator to report status"}
if obj.status == nil then
  return hs
end
local function condition(type)
  for _, c in ipairs(obj.status.conditions or {}) do
    if c.type == type then
      return c
    end
  end
  return nil
end
if obj.status.observedGeneration == nil or obj.status.observedGeneration < (obj.metadata.generation or 0) then
  hs.message = "Waiting for the operator to observe generation " .. tostring(obj.metadata.generation)
  return hs
end
local valid = condition("Valid")
if valid ~= nil and valid.status == "False" then
  hs.status = "Degraded"
  hs.message = valid.message or valid.reason or "the spec is invalid"
  return hs
end
local ready = condition("Ready")
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = "Peers " .. (obj.status.peers or "?") .. ", routes " .. (obj.status.routes or "?")
  return hs
end
-- The first condition that holds the pool back says why.
for _, type in ipairs({"ConfigApplied", "MetalLBAvailable", "PeersEstablished", "RoutesConverged"}) do
  local c = condition(type)
  if c ~= nil and c.status ~= "True" then
    hs.message = type .. ": " .. (c.message or c.reason or c.status)
    return hs
  end
end
if ready ~= nil and ready.message ~= nil then
  hs.message = ready.message
end
return hs
