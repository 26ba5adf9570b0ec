-- Argo CD health of a LabCluster (resource.customizations.health.lab.k8slab.io_LabCluster).
-- Healthy once Ready; Degraded when the spec is invalid or a node's join failed (the operator retries, but a
-- person has to look); Progressing while the operator has not seen the latest spec or nodes are joining.
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
for _, node in ipairs(obj.status.nodes or {}) do
  if node.phase == "Failed" then
    hs.status = "Degraded"
    hs.message = "node " .. tostring(node.name) .. ": " .. (node.message or "join failed")
    return hs
  end
end
local ready = condition("Ready")
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = "Ready " .. (obj.status.ready or "")
  return hs
end
if ready ~= nil and ready.message ~= nil then
  hs.message = ready.message
else
  hs.message = "Nodes ready: " .. (obj.status.ready or "unknown")
end
return hs
