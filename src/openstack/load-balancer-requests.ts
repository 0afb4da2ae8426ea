/**
 * Request bodies of Octavia's create calls, with the attributes the tool
 * sets; any other Octavia attribute may be added (the bodies are passed on
 * as they are). Names and enumerations are Octavia's own.
 */

/** Request body fields for create/update; Octavia's attribute names. */
export type OctaviaBody = Record<string, unknown>;

/** What POST /loadbalancers takes (one of the vip_* fields is required). */
export interface CreateLoadBalancerRequest extends OctaviaBody {
  name?: string;
  description?: string;
  vip_subnet_id?: string;
  vip_network_id?: string;
  vip_port_id?: string;
  vip_address?: string;
  provider?: string;
  flavor_id?: string;
  availability_zone?: string;
  admin_state_up?: boolean;
  tags?: string[];
}

/** What POST /listeners takes. */
export interface CreateListenerRequest extends OctaviaBody {
  loadbalancer_id: string;
  protocol: "HTTP" | "HTTPS" | "TCP" | "UDP" | "TERMINATED_HTTPS" | "SCTP" | "PROXY";
  protocol_port: number;
  name?: string;
  default_pool_id?: string;
  connection_limit?: number;
  insert_headers?: Record<string, string>;
  default_tls_container_ref?: string;
  sni_container_refs?: string[];
  allowed_cidrs?: string[];
  timeout_client_data?: number;
  timeout_member_connect?: number;
  timeout_member_data?: number;
  timeout_tcp_inspect?: number;
  tags?: string[];
}

/** What POST /pools takes (listener_id or loadbalancer_id). */
export interface CreatePoolRequest extends OctaviaBody {
  protocol: string;
  lb_algorithm: "ROUND_ROBIN" | "LEAST_CONNECTIONS" | "SOURCE_IP" | "SOURCE_IP_PORT";
  listener_id?: string;
  loadbalancer_id?: string;
  name?: string;
  session_persistence?: { type: string; cookie_name?: string } | null;
  tags?: string[];
}

/** What POST /pools/{id}/members takes. */
export interface CreateMemberRequest extends OctaviaBody {
  address: string;
  protocol_port: number;
  subnet_id?: string;
  weight?: number;
  backup?: boolean;
  monitor_address?: string;
  monitor_port?: number;
  name?: string;
  tags?: string[];
}

/** What POST /healthmonitors takes. */
export interface CreateHealthMonitorRequest extends OctaviaBody {
  pool_id: string;
  type: "HTTP" | "HTTPS" | "PING" | "TCP" | "TLS-HELLO" | "UDP-CONNECT" | "SCTP";
  delay: number;
  timeout: number;
  max_retries: number;
  max_retries_down?: number;
  http_method?: string;
  url_path?: string;
  expected_codes?: string;
  name?: string;
  tags?: string[];
}

/** What POST /l7policies takes. */
export interface CreateL7PolicyRequest extends OctaviaBody {
  listener_id: string;
  action: "REDIRECT_TO_POOL" | "REDIRECT_TO_URL" | "REDIRECT_PREFIX" | "REJECT";
  position?: number;
  redirect_pool_id?: string;
  redirect_url?: string;
  redirect_prefix?: string;
  redirect_http_code?: number;
  name?: string;
  tags?: string[];
}

/** What POST /l7policies/{id}/rules takes. */
export interface CreateL7RuleRequest extends OctaviaBody {
  type: "HOST_NAME" | "PATH" | "FILE_TYPE" | "HEADER" | "COOKIE" | "SSL_CONN_HAS_CERT" | "SSL_VERIFY_RESULT" | "SSL_DN_FIELD";
  compare_type: "REGEX" | "STARTS_WITH" | "ENDS_WITH" | "CONTAINS" | "EQUAL_TO";
  value: string;
  key?: string;
  invert?: boolean;
  tags?: string[];
}
